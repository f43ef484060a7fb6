//===- ToolWeights.cpp - the model's initial values in netc ---------------===//

#include "ToolWeights.h"

namespace netc::tool {

ModelWeights &toolModelWeights() {
  static ModelWeights weights;
  return weights;
}

} // namespace netc::tool
