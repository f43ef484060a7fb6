// A model with a buffer: the train step moves the running value a tenth of
// the way to 1, and its loss is the value the step starts from.
func.func @buf(%x: tensor<4xf32> {nn.input = "x"}, %b: tensor<f32> {nn.buffer = "running_mean"})
    -> (tensor<4xf32> {nn.output = "centered"}) {
  %y = nn.sub %x, %b : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

func.func @buf_train_step(%x: tensor<4xf32> {nn.input = "x"},
                          %b: tensor<f32> {nn.buffer = "running_mean"})
    -> (tensor<f32> {nn.loss = "loss"}, tensor<f32> {nn.buffer_update = "running_mean"})
    attributes {nn.train_step_of = "buf"} {
  %keep = arith.constant dense<0.9> : tensor<f32>
  %take = arith.constant dense<0.1> : tensor<f32>
  %old = nn.mul %keep, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %next = nn.add %old, %take : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %b, %next : tensor<f32>, tensor<f32>
}
