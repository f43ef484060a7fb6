/*===- Driver.h - the main of generated executables -------------*- C -*-===//
 *
 * `netc model.net -o model` links a two-line main that calls
 * netc_driver_main with the model's descriptor; everything the executable
 * does (the flags of DESIGN.md, "Generated executables") lives here.
 *
 *===----------------------------------------------------------------------===*/

#ifndef NETC_RUNTIME_DRIVER_H
#define NETC_RUNTIME_DRIVER_H

#include "runtime/Model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Runs the executable of `model` with the command line `argv`; returns the
 *  exit status: 0 on success, 1 for a failed run or a bad file, 2 for a bad
 *  command line. */
int netc_driver_main(int argc, char **argv, const netc_model *model);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NETC_RUNTIME_DRIVER_H */
