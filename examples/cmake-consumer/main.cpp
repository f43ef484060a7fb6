// A program that embeds a model compiled by netc: netc_add_model (CMakeLists.txt) turns
// classifier.net into libclassifier.a and classifier.h at build time. It trains the model
// on one small batch of synthetic images until it classifies them, then prints what it
// predicts. Exit status 0 when the predictions match the labels.
#include "classifier.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

constexpr int kBatch = 4, kSide = 8, kClasses = 3;

/// Image i of the batch: class 0 lights the top rows, 1 the left columns, 2 the centre.
void drawImage(float *pixels, int64_t label) {
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      bool on = label == 0 ? y < 3 : label == 1 ? x < 3 : (y >= 2 && y < 6 && x >= 2 && x < 6);
      pixels[y * kSide + x] = on ? 1.0f : 0.0f;
    }
}

/// Fails with the context's message.
int fail(classifier_context *ctx, const char *what) {
  std::printf("%s failed: %s\n", what, classifier_last_error(ctx));
  classifier_destroy(ctx);
  return 1;
}

} // namespace

int main() {
  std::vector<float> images(kBatch * kSide * kSide), logits(kBatch * kClasses);
  std::vector<int64_t> labels = {0, 1, 2, 0};
  for (int i = 0; i < kBatch; ++i)
    drawImage(&images[i * kSide * kSide], labels[i]);

  classifier_context *ctx = classifier_create(/*seed=*/1);
  if (!ctx)
    return 1;
  std::printf("classifier: %d inputs, %d output, train step %s\n", CLASSIFIER_NUM_INPUTS,
              CLASSIFIER_NUM_OUTPUTS, CLASSIFIER_HAS_TRAIN_STEP ? "yes" : "no");

  // Every buffer goes with its size in bytes, which the library checks.
  const void *inputs[CLASSIFIER_NUM_INPUTS] = {images.data(), labels.data()};
  const size_t inputBytes[CLASSIFIER_NUM_INPUTS] = {images.size() * sizeof(float),
                                                    labels.size() * sizeof(int64_t)};
  void *outputs[CLASSIFIER_NUM_OUTPUTS] = {logits.data()};
  const size_t outputBytes[CLASSIFIER_NUM_OUTPUTS] = {logits.size() * sizeof(float)};
  double first = 0, loss = 0;
  for (int step = 0; step < 40; ++step) {
    if (classifier_train_step(ctx, inputs, inputBytes, &loss) != 0)
      return fail(ctx, "train step");
    if (step == 0)
      first = loss;
  }
  std::printf("loss %.4g -> %.4g after 40 steps: %s\n", first, loss,
              loss < first ? "fell" : "did not fall");

  if (classifier_forward(ctx, inputs, inputBytes, outputs, outputBytes) != 0)
    return fail(ctx, "forward");
  bool allRight = true;
  std::printf("predicted:");
  for (int i = 0; i < kBatch; ++i) {
    const float *row = &logits[i * kClasses];
    int64_t predicted = std::max_element(row, row + kClasses) - row;
    allRight &= predicted == labels[i];
    std::printf(" %lld", static_cast<long long>(predicted));
  }
  std::printf("\nlabels:   ");
  for (int64_t label : labels)
    std::printf(" %lld", static_cast<long long>(label));
  std::printf("\n%s\n", allRight ? "all images classified" : "misclassified images");
  classifier_destroy(ctx);
  return allRight ? 0 : 1;
}
