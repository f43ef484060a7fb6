// nn-optimizer makes the hyperparameters run-time arguments of the train step: 0-d f64
// tensors marked nn.hyper with their compiled values in nn.value, after the seed and
// before the optimizer state. Scalar formulas are computed in f64 and cast to the
// parameter's element type where they meet tensors.
// RUN: netc-opt %s --nn-autodiff --nn-optimizer | FileCheck %s

// SGD with momentum: lr, weight_decay and momentum; each cast to f32 once, where it
// meets the parameter. The decay term is built although weight_decay is 0 (g + 0 * p = g).
// CHECK-LABEL: func.func @sgd_train_step(
// CHECK-SAME: i64 {nn.seed}, %[[LR:[a-z0-9]+]]: tensor<f64> {nn.hyper = "lr", nn.value = 1.000000e-01 : f64},
// CHECK-SAME: %[[WD:[a-z0-9]+]]: tensor<f64> {nn.hyper = "weight_decay", nn.value = 0.000000e+00 : f64},
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<f64> {nn.hyper = "momentum", nn.value = 9.000000e-01 : f64},
// CHECK-SAME: %[[BUF0:[a-z0-9]+]]: tensor<4xf32> {nn.state = "w.momentum_buffer"})
// CHECK: %[[WD32:.+]] = nn.cast %[[WD]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[DECAY:.+]] = nn.mul %[[WD32]], %arg1
// CHECK: %[[D:.+]] = nn.add %{{.+}}, %[[DECAY]]
// CHECK: %[[M32:.+]] = nn.cast %[[M]] {dtype = f32}
// CHECK: %[[OLD:.+]] = nn.mul %[[M32]], %[[BUF0]]
// CHECK: %[[BUF:.+]] = nn.add %[[OLD]], %[[D]]
// CHECK: %[[LR32:.+]] = nn.cast %[[LR]] {dtype = f32}
// CHECK: %[[STEP:.+]] = nn.mul %[[LR32]], %[[BUF]]
// CHECK: nn.sub %arg1, %[[STEP]]
// CHECK-NOT: nn.cast
// CHECK: return
func.func @sgd(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "sgd", lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64,
                                nesterov = false, weight_decay = 0.000000e+00 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// Plain SGD on f64 parameters: no momentum argument (no buffer), and no casts.
// CHECK-LABEL: func.func @plain_train_step(
// CHECK-SAME: i64 {nn.seed}, %[[LR:[a-z0-9]+]]: tensor<f64> {nn.hyper = "lr", nn.value = 5.000000e-02 : f64},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<f64> {nn.hyper = "weight_decay", nn.value = 0.000000e+00 : f64})
// CHECK-NOT: nn.cast
// CHECK: nn.mul %[[LR]], %{{.+}} : (tensor<f64>, tensor<4xf64>) -> tensor<4xf64>
// CHECK: return
func.func @plain(%x: tensor<4xf64> {nn.input = "x"}, %w: tensor<4xf64> {nn.param = "w"})
    -> (tensor<f64> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "sgd", lr = 5.000000e-02 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %1 = nn.sum %0 : (tensor<4xf64>) -> tensor<f64>
  return %1 : tensor<f64>
}

// AdamW: lr, weight_decay, beta1, beta2, eps. The bias corrections, the step size,
// 1 - beta and 1 - lr * wd are computed in f64 (b^t = exp(t log b)) and cast to f32.
// CHECK-LABEL: func.func @adam_train_step(
// CHECK-SAME: i64 {nn.seed}, %[[LR:[a-z0-9]+]]: tensor<f64> {nn.hyper = "lr", nn.value = 1.000000e-02 : f64},
// CHECK-SAME: %[[WD:[a-z0-9]+]]: tensor<f64> {nn.hyper = "weight_decay", nn.value = 0.000000e+00 : f64},
// CHECK-SAME: %[[B1:[a-z0-9]+]]: tensor<f64> {nn.hyper = "beta1", nn.value = 8.000000e-01 : f64},
// CHECK-SAME: %[[B2:[a-z0-9]+]]: tensor<f64> {nn.hyper = "beta2", nn.value = 0.99899999999999999 : f64},
// CHECK-SAME: %[[EPS:[a-z0-9]+]]: tensor<f64> {nn.hyper = "eps", nn.value = 1.000000e-08 : f64},
// CHECK-SAME: {nn.state = "w.exp_avg"}, {{.+}} {nn.state = "w.exp_avg_sq"}, %[[STEPS:[a-z0-9]+]]: tensor<f32> {nn.state = "step"})
// CHECK: %[[T:.+]] = nn.add %[[STEPS]], %{{.+}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: %[[T64:.+]] = nn.cast %[[T]] {dtype = f64} : (tensor<f32>) -> tensor<f64>
// CHECK: %[[ONE:.+]] = arith.constant dense<1.000000e+00> : tensor<f64>
// CHECK: %[[LOG1:.+]] = nn.log %[[B1]] : (tensor<f64>) -> tensor<f64>
// CHECK: %[[TLOG1:.+]] = nn.mul %[[T64]], %[[LOG1]]
// CHECK: %[[POW1:.+]] = nn.exp %[[TLOG1]]
// CHECK: %[[BC1:.+]] = nn.sub %[[ONE]], %[[POW1]]
// CHECK: %[[STEPSIZE:.+]] = nn.div %[[LR]], %[[BC1]] : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK: %[[SCALE:.+]] = nn.mul %[[LR]], %[[WD]]
// CHECK: %[[KEEP:.+]] = nn.sub %[[ONE]], %[[SCALE]]
// CHECK: %[[KEEP32:.+]] = nn.cast %[[KEEP]] {dtype = f32}
// CHECK: %[[P:.+]] = nn.mul %arg1, %[[KEEP32]]
// CHECK: nn.cast %[[EPS]] {dtype = f32}
// CHECK: %[[SS32:.+]] = nn.cast %[[STEPSIZE]] {dtype = f32} : (tensor<f64>) -> tensor<f32>
// CHECK: %[[UPD:.+]] = nn.mul %[[SS32]], %{{.+}}
// CHECK: nn.sub %[[P]], %[[UPD]]
func.func @adam(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "adamw", lr = 1.000000e-02 : f64, beta1 = 8.000000e-01 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// RMSprop: lr, weight_decay, alpha, eps; momentum only when it is > 0.
// CHECK-LABEL: func.func @rms_train_step(
// CHECK-SAME: i64 {nn.seed}, %{{[a-z0-9]+}}: tensor<f64> {nn.hyper = "lr", nn.value = 1.000000e-02 : f64},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<f64> {nn.hyper = "weight_decay", nn.value = 0.000000e+00 : f64},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<f64> {nn.hyper = "alpha", nn.value = 0.98999999999999999 : f64},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<f64> {nn.hyper = "eps", nn.value = 1.000000e-08 : f64},
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<4xf32> {nn.state = "w.square_avg"})
func.func @rms(%x: tensor<4xf32> {nn.input = "x"}, %w: tensor<4xf32> {nn.param = "w"})
    -> (tensor<f32> {nn.loss = "loss"})
    attributes {nn.optimizer = {kind = "rmsprop", lr = 1.000000e-02 : f64}} {
  %0 = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sum %0 : (tensor<4xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}
