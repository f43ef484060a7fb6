// A buffer (nn.buffer) is non-trainable state kept with the weights: it loads
// from the weights, the train step's nn.buffer_update result replaces it for
// the next step, and it is written back with the trained parameters. Here the
// loss is the running mean as the step finds it, so each step's loss shows the
// value the previous step left: with mean(x) = 2.5 and a loaded start of 1,
// 1, 0.9 * 1 + 0.25 = 1.15, 0.9 * 1.15 + 0.25 = 1.285.
// RUN: netc %s --run --train --steps 3 --load=%S/Inputs/buffer.json | FileCheck %s
// RUN: netc %s --run --train --steps 3 --load=%S/Inputs/buffer.json --dump=%t.json
// RUN: FileCheck %s --check-prefix=DUMP < %t.json
// Without a loaded value the buffer starts at zero, and the forward function reads it too.
// RUN: netc %s --run --train --steps 2 | FileCheck %s --check-prefix=ZERO
// RUN: netc %s --run --load=%S/Inputs/buffer.json | FileCheck %s --check-prefix=FORWARD

// CHECK: step 1 loss 1{{$}}
// CHECK-NEXT: step 2 loss 1.1{{4999|5}}
// CHECK-NEXT: step 3 loss 1.28{{4999|5}}

// The trained weights hold the buffer after the third update: 0.9 * 1.285 + 0.25.
// DUMP: "trained_params"
// DUMP-NEXT: "running_mean"
// DUMP: 1.4064999

// ZERO: step 1 loss 0{{$}}
// ZERO-NEXT: step 2 loss 0.

// FORWARD: output centered: f32[4]
// FORWARD-NEXT: [0, 1, 2, 3]

func.func @model(%x: tensor<4xf32> {nn.input = "x"}, %b: tensor<f32> {nn.buffer = "running_mean"})
    -> (tensor<4xf32> {nn.output = "centered"}) {
  %y = nn.sub %x, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

func.func @model_train_step(%x: tensor<4xf32> {nn.input = "x"},
                            %b: tensor<f32> {nn.buffer = "running_mean"})
    -> (tensor<f32> {nn.loss = "loss"}, tensor<f32> {nn.buffer_update = "running_mean"})
    attributes {nn.train_step_of = "model"} {
  %mean = nn.mean %x : (tensor<4xf32>) -> tensor<f32>
  %keep = arith.constant dense<0.9> : tensor<f32>
  %take = arith.constant dense<0.1> : tensor<f32>
  %old = nn.mul %keep, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %new = nn.mul %take, %mean : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %next = nn.add %old, %new : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %b, %next : tensor<f32>, tensor<f32>
}
