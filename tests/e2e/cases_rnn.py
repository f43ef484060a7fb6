"""Parity cases of the recurrent layers (models/rnn.net): forward, gradients and training."""
import os

from cases import Case, randn
import models_rnn

RNN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "rnn.net")

CASES = {
    "rnn_lstm": Case(RNN, models_rnn.RnnLstm, lambda g: {"x": randn(3, 5, 4, gen=g)},
                     model="rnn_lstm", optimizers=[("adam", "adam(lr=0.01)")]),
    "rnn_gru": Case(RNN, models_rnn.RnnGru, lambda g: {"x": randn(4, 3, 5, gen=g)},
                    model="rnn_gru", optimizers=[("sgd-momentum", "sgd(lr=0.1, momentum=0.9)")]),
}
