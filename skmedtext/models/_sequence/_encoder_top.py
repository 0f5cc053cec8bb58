"""``trainable_layers`` for the sequence family: a transformer's top layers fine-tuned under the network.

With ``embedding="transformer"`` and ``trainable_layers=k`` the encoder's input
embeddings and bottom ``L - k`` layers are frozen and their output for each text
comes from :class:`skmedtext.encoders.FrozenStack`'s cache (shared with
DMT-BERT and with ``SAANSampler(layer=-k)``); the top ``k`` layers live in the
torch module (:class:`~skmedtext.models._modules._sequence.EncoderTopInput`)
and are trained with the sequence network on top of them. The helpers here are
the base's hooks for that path; they take the classifier as their first argument.
"""

import numpy as np

from skmedtext.models._truncation import tokenize

__all__ = [
    "check_trainable_params",
    "encode_states",
    "fit_encoder_top",
    "persist_encoder_top",
    "restore_encoder_top",
]

# TransformerEmbedder parameters that mean something on this path (the states
# batch size); the others (pooling, layer, ...) describe a frozen output it does not use
_STACK_PARAMS = {"batch_size"}


def check_trainable_params(clf, kind):
    """Refuse ``trainable_layers`` where no transformer runs, and parameters it cannot use."""
    if clf.trainable_layers is None:
        return
    if kind != "transformer":
        raise ValueError(
            f"trainable_layers={clf.trainable_layers} fine-tunes the top layers of a transformer "
            f"encoder and needs embedding='transformer' (or a TransformerEmbedder); got "
            f"embedding={clf.embedding!r}. Use trainable_layers=None."
        )
    extra = sorted(set(clf.embedding_params or {}) - _STACK_PARAMS)
    if extra:
        raise ValueError(
            f"with trainable_layers, embedding_params only takes {sorted(_STACK_PARAMS)}; "
            f"got {extra}."
        )
    layer = getattr(clf.embedding, "layer", "last")
    if layer != "last":
        raise ValueError(
            f"trainable_layers runs the encoder's top layers, but the TransformerEmbedder has "
            f"layer={layer!r}; use layer='last' or trainable_layers=None."
        )


def _source(clf):
    """``(encoder name or path, max_length, batch_size)``: a given embedder's, else the classifier's."""
    emb = clf.embedding
    if isinstance(emb, str):
        batch = (clf.embedding_params or {}).get("batch_size", 32)
        return clf.encoder, clf.max_length, batch
    return emb.model_name_or_path, emb.max_length, emb.batch_size


def _stack(clf, encoder):
    from skmedtext.encoders import FrozenStack, frozen_stack_folder

    return FrozenStack(encoder, clf.trainable_layers, folder=frozen_stack_folder(clf.frozen_cache))


def fit_encoder_top(clf):
    """Load the encoder, freeze its bottom, start the frozen stack; return the encoder.

    Sets ``encoder_spec_``, ``tokenizer_``, ``embedding_space_`` (the stack's
    output space), ``embedding_dim_`` and ``max_length_``; ``embedder_`` and
    ``vocabulary_`` are None on this path.
    """
    from skmedtext.encoders import check_max_length, encoder_layers, load_encoder

    name, max_length, _ = _source(clf)
    # no attention-probability dropout in the fine-tuned layers: it would send every CPU
    # training step through PyTorch's unfused attention (docs/speed.md)
    clf.encoder_spec_, clf.tokenizer_, encoder = load_encoder(name, attention_dropout=0.0)
    check_max_length(max_length, encoder, type(clf).__name__)
    # only the top layers train: a pooler (unused) would count as trainable otherwise
    encoder.requires_grad_(False)
    clf._stack = _stack(clf, encoder)
    for layer in encoder_layers(encoder)[clf._stack.cut :]:
        layer.requires_grad_(True)
    clf.max_length_ = max_length
    clf.embedding_space_ = clf._stack.space
    clf.embedding_dim_ = int(encoder.config.hidden_size)
    clf.embedder_ = clf.vocabulary_ = None
    return encoder


def _frozen_stack(clf):
    """The fit's stack, or after loading one rebuilt on the loaded weights."""
    if getattr(clf, "_stack", None) is None:
        # load_model builds the module before its weights are loaded: the stack
        # (whose key hashes the frozen weights) is made here, at first use
        stack = _stack(clf, clf.net_.module_.inputs.encoder)
        # on this path the classifier's input space is the stack's output space
        stack.check_saved_space(clf.embedding_space_, type(clf).__name__)
        clf._stack = stack
    return clf._stack


def encode_states(clf, texts):
    """``{"embeds": cut-layer states}`` per text, from the cache or computed once."""
    from skmedtext.utils import resolve_bf16, resolve_device

    prefix = clf.encoder_spec_.prefix
    ids = tokenize(clf.tokenizer_, [prefix + t for t in texts], clf.max_length_)["input_ids"]
    device = resolve_device(clf.device)
    states = _frozen_stack(clf).states(
        [np.asarray(row, dtype=np.int64) for row in ids], device,
        resolve_bf16(clf.amp, device), batch_size=_source(clf)[2],
    )  # fmt: skip
    return [{"embeds": value} for value in states]


def persist_encoder_top(clf, folder):
    """JSON state of the encoder path; its weights are in the module's own file."""
    from skmedtext.encoders import save_encoder_state

    encoder = clf.net_.module_.inputs.encoder
    return {
        **save_encoder_state(encoder, clf.tokenizer_, clf.encoder_spec_, folder),
        "max_length": int(clf.max_length_),
    }


def restore_encoder_top(clf, state, folder):
    """Set the fitted attributes from ``persist_encoder_top``'s state; return the encoder."""
    from skmedtext.encoders import load_encoder_state

    clf.encoder_spec_, clf.tokenizer_, encoder = load_encoder_state(state, folder)
    clf.max_length_ = int(state["max_length"])
    clf._stack = None
    return encoder
