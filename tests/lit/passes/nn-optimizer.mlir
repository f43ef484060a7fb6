// nn-optimizer appends torch.optim's update to each train step, with the hyperparameters
// (0-d f64, cast to the parameters' type) and the optimizer state as extra arguments (after
// the seed) and the state as results (after the updated parameters).
// RUN: netc-opt %s --nn-autodiff --nn-optimizer | FileCheck %s

// Plain SGD: p - lr (g + wd p); no state.
// CHECK-LABEL: func.func @plain_train_step(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<4xf32> {nn.param = "w"}, %{{.+}}: i64 {nn.seed},
// CHECK-SAME: %[[LR64:[a-z0-9]+]]: tensor<f64> {nn.hyper = "lr", nn.value = 1.000000e-01 : f64},
// CHECK-SAME: %[[WD64:[a-z0-9]+]]: tensor<f64> {nn.hyper = "weight_decay", nn.value = 0.000000e+00 : f64})
// CHECK-SAME: -> (tensor<f32> {nn.loss = "loss"}, tensor<4xf32> {nn.grad = "w"},
// CHECK-SAME: tensor<4xf32> {nn.param_update = "w"})
// CHECK: nn.broadcast_to
// CHECK: %[[G:.+]] = nn.mul %{{.+}}, %{{.+}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[WD:.+]] = nn.cast %[[WD64]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[DECAY:.+]] = nn.mul %[[WD]], %[[W]]
// CHECK: %[[D:.+]] = nn.add %[[G]], %[[DECAY]]
// CHECK: %[[LR:.+]] = nn.cast %[[LR64]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[STEP:.+]] = nn.mul %[[LR]], %[[D]]
// CHECK: %[[NEW:.+]] = nn.sub %[[W]], %[[STEP]]
// CHECK: return %{{.+}}, %[[G]], %[[NEW]] :
func.func @plain(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "sgd", lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64,
                                nesterov = false, weight_decay = 0.000000e+00 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Momentum: buf' = 0.9 buf + g, p' = p - lr buf', one buffer per parameter. The loss does
// not reach `v`: like a parameter without .grad in PyTorch, it and its buffer stay as they are.
// CHECK-LABEL: func.func @momentum_train_step(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<4xf32> {nn.param = "w"}, %[[V:[a-z0-9]+]]: tensor<2xf32> {nn.param = "v"}, %{{.+}}: i64 {nn.seed},
// CHECK-SAME: %[[LR64:[a-z0-9]+]]: tensor<f64> {nn.hyper = "lr", nn.value = 1.000000e-01 : f64},
// CHECK-SAME: %{{.+}}: tensor<f64> {nn.hyper = "weight_decay", nn.value = 0.000000e+00 : f64},
// CHECK-SAME: %[[M64:[a-z0-9]+]]: tensor<f64> {nn.hyper = "momentum", nn.value = 9.000000e-01 : f64},
// CHECK-SAME: %[[BUFW:[a-z0-9]+]]: tensor<4xf32> {nn.state = "w.momentum_buffer"}, %[[BUFV:[a-z0-9]+]]: tensor<2xf32> {nn.state = "v.momentum_buffer"})
// CHECK-SAME: tensor<4xf32> {nn.param_update = "w"}, tensor<2xf32> {nn.param_update = "v"},
// CHECK-SAME: tensor<4xf32> {nn.state = "w.momentum_buffer"}, tensor<2xf32> {nn.state = "v.momentum_buffer"})
// CHECK: nn.broadcast_to
// CHECK: %[[G:.+]] = nn.mul %{{.+}}, %{{.+}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[D:.+]] = nn.add %[[G]], %{{.+}}
// CHECK: %[[M:.+]] = nn.cast %[[M64]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[DECAYED:.+]] = nn.mul %[[M]], %[[BUFW]]
// CHECK: %[[BUF:.+]] = nn.add %[[DECAYED]], %[[D]]
// CHECK: %[[LR:.+]] = nn.cast %[[LR64]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[STEP:.+]] = nn.mul %[[LR]], %[[BUF]]
// CHECK: %[[NEW:.+]] = nn.sub %[[W]], %[[STEP]]
// CHECK: return %{{.+}}, %[[G]], %{{.+}}, %[[NEW]], %[[V]], %[[BUF]], %[[BUFV]] :
func.func @momentum(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"},
                    %v: tensor<2xf32> {nn.param = "v"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "sgd", lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64,
                                nesterov = false, weight_decay = 0.000000e+00 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Nesterov with weight decay: d = g + wd p; buf' = m buf + d; p' = p - lr (d + m buf').
// CHECK-LABEL: func.func @nesterov_train_step(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<4xf32> {nn.param = "w"}, %{{.+}}: i64 {nn.seed},
// CHECK-SAME: %{{.+}}: tensor<f64> {nn.hyper = "weight_decay", nn.value = 1.000000e-02 : f64},
// CHECK-SAME: %{{.+}}: tensor<f64> {nn.hyper = "momentum", nn.value = 9.000000e-01 : f64},
// CHECK-SAME: %[[BUF0:[a-z0-9]+]]: tensor<4xf32> {nn.state = "w.momentum_buffer"})
// CHECK: nn.broadcast_to
// CHECK: %[[G:.+]] = nn.mul %{{.+}}, %{{.+}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[WD:.+]] = nn.cast %{{.+}} {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[DECAY:.+]] = nn.mul %[[WD]], %[[W]]
// CHECK: %[[D:.+]] = nn.add %[[G]], %[[DECAY]]
// CHECK: %[[OLD:.+]] = nn.mul %{{.+}}, %[[BUF0]]
// CHECK: %[[BUF:.+]] = nn.add %[[OLD]], %[[D]]
// CHECK: %[[LOOK:.+]] = nn.mul %{{.+}}, %[[BUF]]
// CHECK: %[[DIR:.+]] = nn.add %[[D]], %[[LOOK]]
// CHECK: %[[STEP:.+]] = nn.mul %{{.+}}, %[[DIR]]
// CHECK: %[[NEW:.+]] = nn.sub %[[W]], %[[STEP]]
// CHECK: return %{{.+}}, %[[G]], %[[NEW]], %[[BUF]] :
func.func @nesterov(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "sgd", lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64,
                                nesterov = true, weight_decay = 1.000000e-02 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Adam with weight decay: exp_avg and exp_avg_sq per parameter, then one 0-d step count;
// the bias corrections in f64, b^t as exp(t log b), cast to f32 where they meet tensors.
// CHECK-LABEL: func.func @adam_train_step(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<4xf32> {nn.param = "w"}, %[[B:[a-z0-9]+]]: tensor<f32> {nn.param = "b"}, %{{.+}}: i64 {nn.seed},
// CHECK-SAME: %[[LR:[a-z0-9]+]]: tensor<f64> {nn.hyper = "lr", nn.value = 1.000000e-03 : f64},
// CHECK-SAME: %{{.+}}: tensor<f64> {nn.hyper = "weight_decay", nn.value = 1.000000e-02 : f64},
// CHECK-SAME: %[[B1:[a-z0-9]+]]: tensor<f64> {nn.hyper = "beta1", nn.value = 9.000000e-01 : f64},
// CHECK-SAME: %[[B2:[a-z0-9]+]]: tensor<f64> {nn.hyper = "beta2", nn.value = 0.99899999999999999 : f64},
// CHECK-SAME: %[[EPS64:[a-z0-9]+]]: tensor<f64> {nn.hyper = "eps", nn.value = 1.000000e-08 : f64},
// CHECK-SAME: %[[MW:[a-z0-9]+]]: tensor<4xf32> {nn.state = "w.exp_avg"}, %[[VW:[a-z0-9]+]]: tensor<4xf32> {nn.state = "w.exp_avg_sq"},
// CHECK-SAME: %{{.+}}: tensor<f32> {nn.state = "b.exp_avg"}, %{{.+}}: tensor<f32> {nn.state = "b.exp_avg_sq"},
// CHECK-SAME: %[[T0:[a-z0-9]+]]: tensor<f32> {nn.state = "step"})
// CHECK-SAME: tensor<4xf32> {nn.param_update = "w"}, tensor<f32> {nn.param_update = "b"},
// CHECK-SAME: tensor<4xf32> {nn.state = "w.exp_avg"}, tensor<4xf32> {nn.state = "w.exp_avg_sq"},
// CHECK-SAME: tensor<f32> {nn.state = "b.exp_avg"}, tensor<f32> {nn.state = "b.exp_avg_sq"}, tensor<f32> {nn.state = "step"})
// CHECK: nn.broadcast_to
// CHECK: %[[G:.+]] = nn.mul %{{.+}}, %{{.+}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// t = step + 1; step_size = lr / (1 - b1^t); sqrt(1 - b2^t).
// CHECK: %[[T:.+]] = nn.add %[[T0]], %{{.+}}
// CHECK: %[[T64:.+]] = nn.cast %[[T]] {dtype = f64} : (tensor<f32>) -> tensor<f64>
// CHECK: %[[LOGB1:.+]] = nn.log %[[B1]] : (tensor<f64>) -> tensor<f64>
// CHECK: %[[TLOGB1:.+]] = nn.mul %[[T64]], %[[LOGB1]]
// CHECK: %[[B1T:.+]] = nn.exp %[[TLOGB1]]
// CHECK: %[[C1:.+]] = nn.sub %{{.+}}, %[[B1T]]
// CHECK: %[[SIZE64:.+]] = nn.div %[[LR]], %[[C1]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK: %[[LOGB2:.+]] = nn.log %[[B2]] : (tensor<f64>) -> tensor<f64>
// CHECK: %[[TLOGB2:.+]] = nn.mul %[[T64]], %[[LOGB2]]
// CHECK: %[[B2T:.+]] = nn.exp %[[TLOGB2]]
// CHECK: %[[C2:.+]] = nn.sub %{{.+}}, %[[B2T]]
// CHECK: %[[C2SQRT64:.+]] = nn.sqrt %[[C2]] : (tensor<f64>) -> tensor<f64>
// g += wd p; m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g g.
// CHECK: %[[GD:.+]] = nn.add %[[G]], %{{.+}}
// CHECK: %[[G1:.+]] = nn.mul %{{.+}}, %[[GD]]
// CHECK: %[[M0:.+]] = nn.mul %{{.+}}, %[[MW]]
// CHECK: %[[M:.+]] = nn.add %[[M0]], %[[G1]]
// CHECK: %[[GG0:.+]] = nn.mul %{{.+}}, %[[GD]]
// CHECK: %[[GG:.+]] = nn.mul %[[GG0]], %[[GD]]
// CHECK: %[[V0:.+]] = nn.mul %{{.+}}, %[[VW]]
// CHECK: %[[V:.+]] = nn.add %[[V0]], %[[GG]]
// denom = sqrt(v') / sqrt(1 - b2^t) + eps; p' = p - step_size m' / denom.
// CHECK: %[[EPS:.+]] = nn.cast %[[EPS64]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[C2SQRT:.+]] = nn.cast %[[C2SQRT64]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[SQRTV:.+]] = nn.sqrt %[[V]]
// CHECK: %[[SCALED:.+]] = nn.div %[[SQRTV]], %[[C2SQRT]]
// CHECK: %[[DENOM:.+]] = nn.add %[[SCALED]], %[[EPS]]
// CHECK: %[[RATIO:.+]] = nn.div %[[M]], %[[DENOM]]
// CHECK: %[[SIZE:.+]] = nn.cast %[[SIZE64]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[STEP:.+]] = nn.mul %[[SIZE]], %[[RATIO]]
// CHECK: %[[NEW:.+]] = nn.sub %[[W]], %[[STEP]]
// CHECK: %[[NEWB:.+]] = nn.sub %[[B]], %{{.+}}
// CHECK: return %{{.+}}, %[[G]], %{{.+}}, %[[NEW]], %[[NEWB]], %[[M]], %[[V]], %{{.+}}, %{{.+}}, %[[T]] :
func.func @adam(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"},
                %b: tensor<f32> {nn.param = "b"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "adam", lr = 1.000000e-03 : f64, beta1 = 9.000000e-01 : f64,
                                beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64,
                                weight_decay = 1.000000e-02 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  %2 = nn.add %1, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %2 : tensor<f32>
}

// Without nn.optimizer the train step keeps its gradients and nothing else.
// CHECK-LABEL: func.func @no_optimizer_train_step(
// CHECK-SAME: %{{.+}}: i64 {nn.seed}) -> (tensor<f32> {nn.loss = "loss"}, tensor<4xf32> {nn.grad = "w"})
// CHECK-NOT: nn.hyper
// CHECK-NOT: nn.param_update
func.func @no_optimizer(%w: tensor<4xf32> {nn.param = "w"}) -> (tensor<f32> {nn.loss = "loss"}) {
  %0 = nn.sqnorm %w : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
