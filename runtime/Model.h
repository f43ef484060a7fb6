/*===- Model.h - the static descriptor of a compiled model ------*- C -*-===//
 *
 * Plain C (and C++): netc generates one `const netc_model NAME_model` per
 * compiled model (codegen/Artifact.cpp), and the runtime's Context and
 * driver are written against this struct alone, so one runtime serves every
 * model. Nothing here depends on Halide: the compiled entry points are
 * reached through their `_argv` forms, whose arguments the `slots` arrays
 * describe one by one.
 *
 * Layout of the memory of a tensor: dense, row-major (the last dimension
 * varies fastest), elements of `dtype`.
 *
 *===----------------------------------------------------------------------===*/

#ifndef NETC_RUNTIME_MODEL_H
#define NETC_RUNTIME_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Element types of tensors. */
typedef enum netc_dtype { NETC_F32 = 0, NETC_F64 = 1, NETC_I32 = 2, NETC_I64 = 3 } netc_dtype;

/** How a parameter is initialised (the nn.init attribute). */
typedef enum netc_init_dist {
  NETC_INIT_CONSTANT = 0, /**< every element `a` */
  NETC_INIT_UNIFORM = 1,  /**< U(a, b) */
  NETC_INIT_NORMAL = 2    /**< N(a, b^2): mean a, standard deviation b */
} netc_init_dist;

/** One named tensor of a model: an input, parameter, buffer, output or state. */
typedef struct netc_tensor {
  const char *name;
  netc_dtype dtype;
  int32_t rank;
  /** `rank` extents, outermost first; NULL when rank is 0. */
  const int64_t *shape;
  /** Parameters and buffers: the initialiser. Float inputs: the uniform range of their
   *  seeded values (U(-1, 1), or U(0, 1) for probabilities). */
  netc_init_dist init;
  double init_a, init_b;
  /** Integer inputs: values must lie in [0, bound); 0 when netc found no bound. */
  int64_t bound;
} netc_tensor;

/** What one argument or result of a compiled entry point is. */
typedef enum netc_slot_kind {
  NETC_SLOT_INPUT = 0,        /**< inputs[index] */
  NETC_SLOT_PARAM = 1,        /**< params[index], read */
  NETC_SLOT_SEED = 2,         /**< the i64 dropout seed of the step, a scalar */
  NETC_SLOT_STATE = 3,        /**< state[index], read */
  NETC_SLOT_OUTPUT = 4,       /**< outputs[index], written */
  NETC_SLOT_LOSS = 5,         /**< the 0-d loss, written */
  NETC_SLOT_GRAD = 6,         /**< gradient of params[index], written */
  NETC_SLOT_PARAM_UPDATE = 7, /**< the new value of params[index], written */
  NETC_SLOT_STATE_UPDATE = 8, /**< the new value of state[index], written */
  NETC_SLOT_SCRATCH = 9,      /**< scratch[index]: a result nobody reads */
  NETC_SLOT_BUFFER = 10,      /**< buffers[index], read */
  NETC_SLOT_BUFFER_UPDATE = 11, /**< the new value of buffers[index], written */
  NETC_SLOT_HYPER = 12          /**< hypers[index], read: a 0-d f64 buffer */
} netc_slot_kind;

/** A run-time hyperparameter of a train step (the learning rate, momentum,
 *  betas, weight decay of its optimizer): a 0-d f64 argument the runtime
 *  passes on every call, starting at the value the `train` statement gave. */
typedef struct netc_hyper {
  /** "lr", "momentum", "beta1", "beta2", "weight_decay", "alpha"; in models
   *  with several losses prefixed by the loss: "d.lr". */
  const char *name;
  /** The compiled value, the one a context starts with. */
  double value;
  /** The train step it belongs to (an index into trainStepsOf(model)). */
  int32_t step;
} netc_hyper;

/** One argument or result of an `_argv` entry point. */
typedef struct netc_slot {
  netc_slot_kind kind;
  int32_t index;
} netc_slot;

/** A compiled entry point in Halide's argv form: `args[k]` points to a
 *  halide_buffer_t for a tensor slot and to an int64_t for the seed. */
typedef int (*netc_entry_fn)(void **args);

/** One train step of a model with several losses (one `train` per loss). */
typedef struct netc_train_step {
  /** The loss it minimises ("d"): the C API calls it NAME_train_step_d. */
  const char *name;
  netc_dtype loss_dtype;
  /** The optimizer as a person reads it ("adam(lr=0.0002, beta1=0.5, ...)"). */
  const char *optimizer;
  /** Its arguments then its results; its LOSS slot has this step's index. */
  netc_entry_fn fn;
  int32_t num_slots;
  const netc_slot *slots;
} netc_train_step;

/** Everything the runtime knows of a compiled model. */
typedef struct netc_model {
  const char *name;
  int32_t num_inputs, num_params, num_outputs, num_state, num_scratch;
  const netc_tensor *inputs;  /**< in declaration order */
  const netc_tensor *params;  /**< in declaration order: parameter i uses init stream i */
  const netc_tensor *outputs; /**< in output order */
  const netc_tensor *state;   /**< optimizer state, zero at start */
  const netc_tensor *scratch; /**< results of the train step the runtime ignores */
  /** Name and element type of the loss; `loss_name` is NULL without a loss. */
  const char *loss_name;
  netc_dtype loss_dtype;
  /** The inference function: its arguments then its results; NULL when the
   *  model has no outputs (forward then computes nothing). */
  netc_entry_fn forward;
  int32_t num_forward_slots;
  const netc_slot *forward_slots;
  /** The train step (NULL without a loss): its arguments then its results. */
  netc_entry_fn train_step;
  int32_t num_train_slots;
  const netc_slot *train_slots;
  /** Non-trainable state kept with the weights (running statistics): saved
   *  and loaded with the parameters, zero at start, never touched by the
   *  optimizer; a train step's BUFFER_UPDATE result replaces it. Last, so
   *  that descriptors without buffers keep their layout. */
  int32_t num_buffers;
  const netc_tensor *buffers;
  /** Models with several losses: every train step, in the order of their
   *  losses (train_step above is the first, loss_name its loss); a LOSS slot
   *  of index k, in any entry point, is the loss of step k. 0 and NULL in
   *  models with one train step or none. Appended, so that descriptors
   *  without it keep their layout. */
  int32_t num_train_steps;
  const netc_train_step *train_steps;
  /** The model's default weights: the bytes of a safetensors file embedded in
   *  the artifact (ONNX initializers, a .net `weights` statement), loaded over
   *  the seeded initialisation of every context and before any weights file;
   *  parameters and buffers it lacks keep their initialisers. NULL and 0
   *  without. Appended, so that descriptors without it keep their layout. */
  const uint8_t *default_weights;
  uint64_t default_weights_size;
  /** The run-time hyperparameters of every train step (HYPER slot k reads
   *  hypers[k]); 0 and NULL in models without an optimizer. Appended, so that
   *  descriptors without them keep their layout. */
  int32_t num_hypers;
  const netc_hyper *hypers;
  /** Each train step (in the order of trainStepsOf) cut in two halves that
   *  take the train step's own arguments: grad_fns[k] computes the loss,
   *  outputs, buffer updates and GRAD results; update_fns[k] then applies the
   *  optimizer update from the GRAD buffers, which a caller may change in
   *  between (data-parallel training averages them across processes). NULL
   *  arrays, or NULL entries, where a step cannot be cut (GPU targets).
   *  Appended, so that descriptors without them keep their layout. */
  const netc_entry_fn *grad_fns;
  const netc_entry_fn *update_fns;
  /** The collective parts of the train steps (runtime/Chain.h): nonzero when
   *  the model was compiled with synchronized batch norm (netc --sync-bn).
   *  Appended, so that descriptors without it keep their layout. */
  int32_t num_collectives;
} netc_model;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NETC_RUNTIME_MODEL_H */
