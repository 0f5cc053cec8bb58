"""Partial fine-tuning of a Hugging Face encoder: a frozen bottom stack, computed once.

With ``trainable_layers=k`` the input embeddings and the bottom ``L - k``
transformer layers are frozen. Their output for a text depends only on the
encoder's frozen weights, the cut layer, the tokenisation (``max_length``,
truncation) and the text, so it is computed once and cached under that key: the
epochs of a fit, the folds of a cross-validation and the candidates of a grid
search that share an encoder all read the same states and run only the top ``k``
layers. The cache lives in memory (bounded) and optionally on disk under
``SKMEDTEXT_HOME/frozen_stack``.
"""

import hashlib
import json
from collections import OrderedDict

import numpy as np
import torch

__all__ = [
    "FROZEN_STACK_CACHE",
    "FrozenStack",
    "clear_frozen_stack_cache",
    "encoder_layers",
    "frozen_stack_folder",
    "run_encoder_layers",
]


def encoder_layers(encoder):
    """The transformer layers of a BERT-family encoder (``encoder.encoder.layer``)."""
    layers = getattr(getattr(encoder, "encoder", None), "layer", None)
    if layers is None or not hasattr(encoder, "embeddings"):
        raise ValueError(
            f"trainable_layers needs a BERT-family encoder (embeddings + encoder.layer); "
            f"{type(encoder).__name__} has another layout. Use trainable_layers=None."
        )
    return layers


def _additive_mask(attention_mask, dtype):
    """(B, L) 0/1 mask -> the (B, 1, 1, L) additive mask every HF attention kernel takes."""
    keep = attention_mask[:, None, None, :].to(dtype)
    return (1.0 - keep) * torch.finfo(dtype).min


def run_encoder_layers(encoder, hidden, attention_mask, start, stop):
    """Run ``encoder.encoder.layer[start:stop]`` on ``hidden`` (B, L, d).

    ``stop=None`` runs to the top layer. ``attention_mask`` is the (B, L) 0/1
    mask of real positions.
    """
    mask = _additive_mask(attention_mask, torch.float32)
    for layer in list(encoder_layers(encoder))[start:stop]:
        out = layer(hidden, attention_mask=mask)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def _embed(encoder, input_ids=None, inputs_embeds=None):
    """The encoder's embedding block (word + position + type embeddings, LayerNorm)."""
    kwargs = {"input_ids": input_ids} if inputs_embeds is None else {"inputs_embeds": inputs_embeds}
    if "token_type_ids" in _embedding_arguments(encoder):
        shape = (input_ids if inputs_embeds is None else inputs_embeds).shape[:2]
        device = (input_ids if inputs_embeds is None else inputs_embeds).device
        kwargs["token_type_ids"] = torch.zeros(shape, dtype=torch.long, device=device)
    return encoder.embeddings(**kwargs)


def _embedding_arguments(encoder):
    import inspect

    return inspect.signature(encoder.embeddings.forward).parameters


class _Cache:
    """Frozen-stack states by key: an LRU in memory, and an optional folder on disk."""

    def __init__(self, max_bytes=4 * 2**30):
        self.max_bytes = max_bytes
        self._items = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def get(self, key, folder=None):
        if key in self._items:
            self._items.move_to_end(key)
            self.hits += 1
            return self._items[key]
        if folder is not None:
            path = folder / f"{key[:2]}" / f"{key}.pt"
            if path.is_file():
                value = torch.load(path, map_location="cpu", weights_only=True)
                self.hits += 1
                self._put(key, value)
                return value
        self.misses += 1
        return None

    def put(self, key, value, folder=None):
        self._put(key, value)
        if folder is not None:
            from skmedtext.utils import atomic_torch_save

            path = folder / f"{key[:2]}" / f"{key}.pt"
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_torch_save(value.clone(), path)

    def _put(self, key, value):
        if key in self._items:
            return
        self._items[key] = value
        self._bytes += value.numel() * value.element_size()
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            self._bytes -= old.numel() * old.element_size()

    def clear(self):
        self._items.clear()
        self._bytes = 0
        self.hits = self.misses = 0


#: the process-wide cache shared by every DMT-BERT fit (and fold, and grid candidate)
FROZEN_STACK_CACHE = _Cache()


def frozen_stack_folder(frozen_cache):
    """The disk folder of a ``frozen_cache`` setting: ``SKMEDTEXT_HOME/frozen_stack`` or None.

    Every estimator with a ``frozen_cache`` parameter passes this to
    :class:`FrozenStack`, so ``"disk"`` means one folder that they all share.

    Parameters
    ----------
    frozen_cache : {"memory", "disk"}

    Returns
    -------
    folder : pathlib.Path or None

    Examples
    --------
    >>> from skmedtext.encoders import frozen_stack_folder
    >>> frozen_stack_folder("memory") is None
    True
    """
    from skmedtext.utils import get_skmedtext_home

    return get_skmedtext_home() / "frozen_stack" if frozen_cache == "disk" else None


def clear_frozen_stack_cache():
    """Empty the in-memory cache of frozen-stack states (``trainable_layers``).

    The next fit or prediction recomputes the states it needs (or reads them from
    the disk cache when ``frozen_cache="disk"``). Useful to free memory, or to
    time a fit that includes building its cache.

    Examples
    --------
    >>> from skmedtext.encoders import clear_frozen_stack_cache
    >>> clear_frozen_stack_cache()
    """
    FROZEN_STACK_CACHE.clear()


def _frozen_digest(encoder, cut):
    """Fingerprint of everything the frozen stack's output depends on in the encoder.

    The stack runs in eval mode, so the config's dropout rates (which estimators
    override for training, e.g. ``attention_dropout``) are left out: encoders that
    differ only in them share a space and its cache.
    """
    config = {k: v for k, v in encoder.config.to_dict().items() if "dropout" not in k}
    config = json.dumps(config, sort_keys=True, default=str)
    digest = hashlib.sha1(repr((type(encoder).__name__, config)).encode())
    modules = [encoder.embeddings, *encoder_layers(encoder)[:cut]]
    for module in modules:
        for name, tensor in module.state_dict().items():
            digest.update(name.encode())
            digest.update(tensor.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


class FrozenStack:
    """Freeze an encoder's bottom layers and serve their cached output for texts.

    Parameters
    ----------
    encoder : transformers.PreTrainedModel
        A BERT-family encoder; its embeddings and bottom ``L - trainable_layers``
        layers are frozen in place (``requires_grad=False``).
    trainable_layers : int
        Top layers left trainable (``0`` freezes the whole encoder). A value
        above the encoder's depth leaves every layer trainable (the input
        embeddings stay frozen), so one setting fits encoders of any depth.
    folder : pathlib.Path or None
        Disk cache folder; None keeps the cache in memory only.
    """

    def __init__(self, encoder, trainable_layers, folder=None):
        n_layers = len(encoder_layers(encoder))
        self.encoder = encoder
        self.cut = max(0, n_layers - trainable_layers)
        encoder.embeddings.requires_grad_(False)
        for layer in encoder_layers(encoder)[: self.cut]:
            layer.requires_grad_(False)
        self.space = f"hf-layer-{self.cut}:{_frozen_digest(encoder, self.cut)}"
        # the token ids hold max_length, truncation and the text: keyed on them, the
        # cache is exact and shared by every setting that tokenises a text alike
        self.prefix = hashlib.sha1(self.space.encode()).hexdigest()[:16]
        self.folder = None if folder is None else folder / self.prefix

    def check_saved_space(self, saved, owner):
        """Refuse a stack rebuilt on loaded weights other than those a model was saved with.

        A loaded model rebuilds its stack from its loaded weights on first use;
        if the frozen layers' space differs from the one saved with the model,
        its cached states and any synthetic rows would be read in the wrong
        space.

        Parameters
        ----------
        saved : str or None
            The space saved with the model (None: nothing to check).
        owner : str
            The estimator's name, for the message.

        Raises
        ------
        ValueError
            If ``saved`` is not this stack's space.
        """
        if saved is not None and saved != self.space:
            raise ValueError(
                f"{owner}: the loaded encoder's frozen layers are not the saved ones: their "
                f"space is {self.space!r}, the model was saved with {saved!r}."
            )

    def key(self, ids, amp=False):
        """Cache key of a token-id row; bf16 and float32 states are kept apart."""
        dtype = b"bf16" if amp else b"fp32"
        return hashlib.sha1(
            self.prefix.encode() + dtype + np.asarray(ids, np.int64).tobytes()
        ).hexdigest()

    @torch.no_grad()
    def states(self, rows, device, amp, batch_size=32):
        """Frozen-stack output of each row: token ids (cached) or input embeddings (not).

        ``rows`` are 1-D int arrays (token ids) or 2-D float arrays (vectors in
        the input word-embedding space, e.g. SAAN's rows). Returns CPU tensors
        (length, d): bf16 when ``amp`` (half the memory), else float32.
        """
        encoder = self.encoder
        out = [None] * len(rows)
        todo = []
        for i, row in enumerate(rows):
            if np.asarray(row).ndim == 1:
                out[i] = FROZEN_STACK_CACHE.get(self.key(row, amp), self.folder)
            if out[i] is None:
                todo.append(i)
        was_training = encoder.training
        encoder.eval().to(device)
        try:
            # token-id rows and vector rows in separate batches, each sorted by length
            for kind in (1, 2):
                order = sorted((i for i in todo if np.asarray(rows[i]).ndim == kind),
                               key=lambda i: len(rows[i]))  # fmt: skip
                for lo in range(0, len(order), batch_size):
                    chunk = order[lo : lo + batch_size]
                    values = self._run(encoder, [rows[i] for i in chunk], device, amp)
                    for i, value in zip(chunk, values):
                        out[i] = value
                        if kind == 1:
                            FROZEN_STACK_CACHE.put(self.key(rows[i], amp), value, self.folder)
        finally:
            encoder.train(was_training)
        return out

    def _run(self, encoder, rows, device, amp):
        width = max(len(r) for r in rows)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        is_ids = np.asarray(rows[0]).ndim == 1
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        vectors = None if is_ids else torch.zeros((len(rows), width, np.asarray(rows[0]).shape[1]))
        for k, row in enumerate(rows):
            mask[k, : len(row)] = 1
            if is_ids:
                ids[k, : len(row)] = torch.as_tensor(np.asarray(row))
            else:
                vectors[k, : len(row)] = torch.from_numpy(np.array(row, dtype=np.float32))
        mask = mask.to(device)
        with torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16, enabled=amp):
            if is_ids:
                hidden = _embed(encoder, input_ids=ids.to(device))
            else:
                hidden = _embed(encoder, inputs_embeds=vectors.to(device))
            hidden = run_encoder_layers(encoder, hidden, mask, 0, self.cut)
        dtype = torch.bfloat16 if amp else torch.float32
        hidden = hidden.to("cpu", dtype)
        return [hidden[k, : len(row)].clone() for k, row in enumerate(rows)]
