"""Masked-language-model pretraining of a BERT encoder on a user corpus, offline.

This module sets a run up (corpus, tokenizer, model, settings, resuming);
``_data`` lays the corpus out as batches and ``_loop`` trains and checkpoints.
"""

import hashlib
import json
import math
import os
import time
import warnings
from numbers import Integral, Real
from pathlib import Path

from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from skmedtext.pretrain._corpus import read_corpus
from skmedtext.pretrain._mlm._data import build_sequences
from skmedtext.pretrain._mlm._loop import STATE_FILE, TrainingLoop, latest_checkpoint
from skmedtext.pretrain._tokenizer import train_wordpiece_tokenizer

__all__ = ["pretrain_mlm", "MLM_SIZES"]

#: Encoder shapes for from-scratch pretraining (BERT conventions: 64-dim heads,
#: feed-forward 4x hidden). "small" is BERT-small/Google's "BERT-Mini+" shape.
MLM_SIZES = {
    "tiny": dict(
        num_hidden_layers=2, hidden_size=64, num_attention_heads=2, intermediate_size=256
    ),
    "small": dict(
        num_hidden_layers=4, hidden_size=256, num_attention_heads=4, intermediate_size=1024
    ),
    "base": dict(
        num_hidden_layers=12, hidden_size=768, num_attention_heads=12, intermediate_size=3072
    ),
}

# Settings that define the data stream and the model; a checkpoint written under
# other values cannot be continued as the same run.
_STRICT_KEYS = (
    "corpus_sha1", "model", "vocab_sha1", "whole_word_masking", "max_length",
    "mlm_probability", "batch_size", "packing", "seed",
)


@validate_params(
    {
        "corpus": "no_validation",
        "out_dir": [str, os.PathLike],
        "model_name_or_path": [str, os.PathLike, None],
        "size": [StrOptions(set(MLM_SIZES)), None],
        "tokenizer": "no_validation",
        "vocab_size": [Interval(Integral, 16, None, closed="left")],
        "whole_word_masking": ["boolean", StrOptions({"jieba"})],
        "max_length": [Interval(Integral, 8, None, closed="left")],
        "mlm_probability": [Interval(Real, 0, 1, closed="neither")],
        "max_steps": [Interval(Integral, 1, None, closed="left"), None],
        "epochs": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "warmup_steps": [Interval(Integral, 0, None, closed="left"), None],
        "grad_clip": [Interval(Real, 0, None, closed="neither"), None],
        "packing": ["boolean"],
        "save_steps": [Interval(Integral, 1, None, closed="left"), None],
        "save_total_limit": [Interval(Integral, 1, None, closed="left")],
        "logging_steps": [Interval(Integral, 1, None, closed="left")],
        "resume": ["boolean"],
        "seed": [Interval(Integral, 0, 2**32 - 1, closed="both")],
        "device": [str, None],
        "bf16": ["boolean", StrOptions({"auto"})],
        "progress": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def pretrain_mlm(
    corpus,
    out_dir,
    *,
    model_name_or_path=None,
    size=None,
    tokenizer=None,
    vocab_size=21128,
    whole_word_masking=False,
    max_length=128,
    mlm_probability=0.15,
    max_steps=None,
    epochs=3.0,
    batch_size=32,
    lr=1e-4,
    weight_decay=0.01,
    warmup_steps=None,
    grad_clip=1.0,
    packing=True,
    save_steps=1000,
    save_total_limit=2,
    logging_steps=50,
    resume=True,
    seed=0,
    device="auto",
    bf16="auto",
    progress=True,
):
    """Pretrain (or continue pretraining) a BERT masked language model on ``corpus``.

    From scratch, a WordPiece tokenizer is trained on the corpus (character level
    for Chinese, as Chinese BERT) and a BERT of the chosen ``size`` is initialised;
    with ``model_name_or_path`` a local model (or preset) is continued with its own
    tokenizer (domain-adaptive pretraining). Masks are drawn afresh for every batch
    (dynamic masking, :class:`transformers.DataCollatorForLanguageModeling`), and
    with ``whole_word_masking="jieba"`` all characters of a jieba word are masked
    together (Chinese BERT-wwm). Training uses AdamW with linear warm-up and decay,
    bf16 autocast on CUDA and on CPUs with bf16 matrix units, and writes resumable
    checkpoints to ``out_dir``.

    The result is a normal Hugging Face folder (``config.json``,
    ``model.safetensors``, tokenizer files) that ``transformers.AutoModel``,
    :func:`skmedtext.encoders.load_encoder` and ``DMTBertClassifier(
    model_name_or_path=out_dir)`` load by path. No label is used: MLM pretraining
    sees text only.

    Parameters
    ----------
    corpus : sequence of str, path, or sequence of paths
        Unlabelled documents, or UTF-8 text files with one document per line.
    out_dir : path-like
        Output folder: the final model at its top level, checkpoints in
        ``checkpoint-<step>/`` and the loss history in ``pretrain_log.json``.
    model_name_or_path : str, path-like or None, default=None
        A local Hugging Face BERT-family folder or an encoder preset name (see
        :func:`skmedtext.encoders.resolve_encoder`) to continue pretraining; its
        tokenizer is kept. ``None`` trains from scratch. Never downloaded.
    size : {"tiny", "small", "base"} or None, default=None
        Shape of a from-scratch model (:data:`MLM_SIZES`): tiny = 2 layers x 64
        hidden (tests), small = 4 x 256 (practical default, used when ``None``),
        base = 12 x 768 (BERT-base, paper 003's CMed-BERT). Must be ``None`` with
        ``model_name_or_path``.
    tokenizer : None, path-like or transformers tokenizer, default=None
        From scratch only: a tokenizer (or its folder) to use instead of training
        one. ``None`` trains a WordPiece tokenizer on ``corpus``.
    vocab_size : int, default=21128
        Target vocabulary of a trained tokenizer (Chinese BERT's size). A corpus
        smaller than that yields fewer pieces.
    whole_word_masking : {False, "jieba"}, default=False
        ``"jieba"`` (or ``True``) masks whole jieba words; English words and
        ``##`` pieces also stay together since jieba splits Latin text at spaces
        and punctuation. Note that transformers' whole-word masking replaces every
        selected token with ``[MASK]`` (no 10 % random / 10 % kept).
    max_length : int, default=128
        Tokens per training sequence, ``[CLS]``/``[SEP]`` included (paper 003: 384;
        BERT spends 90 % of its steps at 128).
    mlm_probability : float, default=0.15
        Fraction of tokens (or words) selected for prediction. Unlike BERT's
        ``max_predictions_per_seq`` (77 at length 384 in paper 003) there is no cap.
    max_steps : int or None, default=None
        Optimisation steps; ``None`` derives them from ``epochs``.
    epochs : float, default=3.0
        Passes over the packed sequences when ``max_steps`` is None.
    batch_size : int, default=32
        Sequences per step (paper 003: 32).
    lr : float, default=1e-4
        Peak AdamW learning rate (paper 003: 1e-4). Tiny models learn faster with 1e-3.
    weight_decay : float, default=0.01
        AdamW decay, not applied to biases and LayerNorm weights (BERT).
    warmup_steps : int or None, default=None
        Linear warm-up steps, then linear decay to 0 at the last step. ``None`` is
        10 % of the steps (paper 003: 10,000 of 120,000).
    grad_clip : float or None, default=1.0
        Maximum gradient norm.
    packing : bool, default=True
        Concatenate documents (each ended by ``[SEP]``) and cut the stream into
        full ``max_length`` sequences, as BERT/RoBERTa pretraining does: no padding
        and fixed shapes. ``False`` gives one document per sequence (long documents
        are split into several).
    save_steps : int or None, default=1000
        Write a checkpoint every that many steps; one is always written at the end.
    save_total_limit : int, default=2
        Checkpoints kept (the newest).
    logging_steps : int, default=50
        Steps per entry of the loss history (mean loss of the window).
    resume : bool, default=True
        Continue from the newest checkpoint in ``out_dir`` (model, optimizer,
        step; the schedule, data order, masks and dropout are functions of the
        step, so the continued run is the uninterrupted one). Raising
        ``max_steps`` extends a finished run. With ``False``, an ``out_dir``
        that already holds a model or checkpoints is an error.
    seed : int, default=0
        Seeds initialisation, data order, masking and dropout.
    device : str or None, default="auto"
        ``"auto"``/``None`` (CUDA when available), ``"cpu"``, ``"cuda[:N]"``.
    bf16 : {"auto", True, False}, default="auto"
        bf16 autocast; ``"auto"`` uses it on CUDA devices that support it and on
        CPUs with bf16 matrix units (AMX or AVX-512 BF16,
        :func:`skmedtext.utils.cpu_has_bf16`); ``True`` forces it, on CPU too.
        Weights and optimizer state stay fp32.
    progress : bool, default=True
        Show a tqdm progress bar with the running loss.

    Returns
    -------
    path : str
        ``out_dir``, holding the final model and tokenizer.

    Examples
    --------
    >>> import tempfile
    >>> from transformers import AutoModel
    >>> from skmedtext.pretrain import pretrain_mlm
    >>> texts = ["患者胸痛三天，伴呼吸困难。", "乙肝病毒携带者，肝功能正常。"] * 20
    >>> path = pretrain_mlm(texts, tempfile.mkdtemp(), size="tiny", max_steps=4,
    ...                     batch_size=8, max_length=16, progress=False)
    >>> AutoModel.from_pretrained(path).config.hidden_size
    64
    """
    import torch

    from skmedtext.utils import resolve_bf16, resolve_device

    if model_name_or_path is not None and (size is not None or tokenizer is not None):
        raise ValueError(
            "size and tokenizer apply to a model trained from scratch; continuing "
            f"{str(model_name_or_path)!r} keeps its own architecture and tokenizer."
        )
    began = time.perf_counter()
    device = resolve_device(device)
    use_bf16 = resolve_bf16(bf16, device, name="bf16")
    wwm = "jieba" if whole_word_masking is True else (whole_word_masking or False)
    out_dir = Path(out_dir).expanduser()
    checkpoint = latest_checkpoint(out_dir)
    if not resume:
        _check_fresh(out_dir, checkpoint)
        checkpoint = None

    documents = read_corpus(corpus)
    tokenizer, source = _load_tokenizer(
        checkpoint, model_name_or_path, tokenizer, documents, vocab_size
    )
    if source == "scratch":
        source = f"scratch:{size or 'small'}"
    if wwm and not tokenizer.is_fast:
        raise ValueError("whole_word_masking needs a fast tokenizer (offset mappings).")
    data = build_sequences(documents, tokenizer, max_length, packing, wwm)
    fingerprint = _fingerprint(
        documents, source, tokenizer, whole_word_masking=wwm, max_length=max_length,
        mlm_probability=mlm_probability, batch_size=batch_size, packing=packing, seed=seed,
    )  # fmt: skip
    settings = dict(
        fingerprint,
        **_schedule(len(data["lengths"]), batch_size, max_steps, epochs, warmup_steps),
        lr=lr, weight_decay=weight_decay, grad_clip=grad_clip, bf16=use_bf16, device=device,
        n_documents=len(documents), n_sequences=int(len(data["lengths"])),
        n_tokens=int(data["lengths"].sum()),
        prepare_s=time.perf_counter() - began,  # corpus, tokenizer training, tokenisation
    )  # fmt: skip
    loop = TrainingLoop(
        data, tokenizer, settings, out_dir, save_steps=save_steps,
        save_total_limit=save_total_limit, logging_steps=logging_steps, progress=progress,
    )  # fmt: skip
    cuda_devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
    # Training reseeds torch's global generator every step; fork it so the caller's
    # random state is the same afterwards.
    with torch.random.fork_rng(devices=cuda_devices):
        model, state = _load_model(
            checkpoint, model_name_or_path, size, tokenizer, max_length, seed
        )
        if checkpoint is not None:
            _check_same_run(state["settings"], settings, checkpoint)
        loop.run(model.to(device), state, checkpoint)
    return str(out_dir)


# -- set-up --------------------------------------------------------------------


def _fingerprint(documents, source, tokenizer, **settings):
    """What defines the run's data stream and model (``_STRICT_KEYS``), to resume only the same run."""
    vocab = json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False)
    return {
        "corpus_sha1": _sha1("\n".join(documents)),
        "model": source,
        "vocab_sha1": _sha1(vocab),
        **settings,
    }


def _schedule(n_sequences, batch_size, max_steps, epochs, warmup_steps):
    """Steps per epoch, total steps and warm-up steps of a run."""
    steps_per_epoch = math.ceil(n_sequences / batch_size)
    if max_steps is not None:
        total_steps = max_steps
    else:
        total_steps = max(1, math.ceil(epochs * steps_per_epoch))
    warmup = warmup_steps if warmup_steps is not None else int(0.1 * total_steps)
    return {"steps_per_epoch": steps_per_epoch, "total_steps": total_steps, "warmup_steps": warmup}


def _sha1(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _check_fresh(out_dir, checkpoint):
    if checkpoint is not None or (out_dir / "config.json").exists():
        raise ValueError(
            f"out_dir {str(out_dir)!r} already holds a model or checkpoints; pass resume=True "
            "to continue that run, or choose an empty folder."
        )


def _check_same_run(saved, current, checkpoint):
    changed = [k for k in _STRICT_KEYS if saved.get(k) != current.get(k)]
    if changed:
        raise ValueError(
            f"cannot resume from {str(checkpoint)!r}: it was trained with different "
            f"{', '.join(changed)}. Use the same corpus and settings, or a new out_dir "
            "(or resume=False with an empty folder)."
        )


def _quiet_transformers():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return hf_logging


def _load_tokenizer(checkpoint, model_name_or_path, tokenizer, documents, vocab_size):
    """Return ``(tokenizer, source)``; ``source`` names the model being trained."""
    _quiet_transformers()
    from transformers import AutoTokenizer, PreTrainedTokenizerBase

    if model_name_or_path is not None:
        from skmedtext.encoders import resolve_encoder

        path = resolve_encoder(model_name_or_path).path
        return AutoTokenizer.from_pretrained(path, local_files_only=True), f"continue:{path}"
    if checkpoint is not None:
        # A tokenizer trained by the interrupted run is reused, never retrained.
        tok = AutoTokenizer.from_pretrained(str(checkpoint), local_files_only=True)
    elif tokenizer is None:
        tok = train_wordpiece_tokenizer(documents, vocab_size=vocab_size)
    elif isinstance(tokenizer, (str, os.PathLike)):
        tok = AutoTokenizer.from_pretrained(str(tokenizer), local_files_only=True)
    elif isinstance(tokenizer, PreTrainedTokenizerBase):
        tok = tokenizer
    else:
        raise TypeError(
            "tokenizer must be None, a tokenizer folder or a transformers tokenizer; "
            f"got {type(tokenizer).__name__}."
        )
    if tok.mask_token is None or tok.pad_token_id is None:
        raise ValueError(
            "the tokenizer needs [MASK] and [PAD] tokens for masked-language modelling."
        )
    return tok, "scratch"


def _load_model(checkpoint, model_name_or_path, size, tokenizer, max_length, seed):
    """Build or load the ``*ForMaskedLM`` model; return it with the saved loop state."""
    import torch

    hf_logging = _quiet_transformers()
    from transformers import AutoModelForMaskedLM, BertConfig, BertForMaskedLM

    state = {"step": 0, "history": [], "elapsed_s": 0.0, "tokens_seen": 0}
    torch.manual_seed(seed)  # initialisation of new weights (a fresh model or MLM head)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # we report a missing MLM head ourselves
    try:
        if checkpoint is not None:
            model = AutoModelForMaskedLM.from_pretrained(str(checkpoint), local_files_only=True)
            state = json.loads((checkpoint / STATE_FILE).read_text(encoding="utf-8"))
        elif model_name_or_path is not None:
            from skmedtext.encoders import resolve_encoder

            path = resolve_encoder(model_name_or_path).path
            model, info = AutoModelForMaskedLM.from_pretrained(
                path, local_files_only=True, output_loading_info=True
            )
            new = [k for k in info["missing_keys"] if "predictions" in k or k.startswith("cls.")]
            if new:
                warnings.warn(
                    f"{path} has no masked-LM head (e.g. a sentence-embedding model); "
                    "the head starts from random weights.",
                    UserWarning,
                    stacklevel=3,
                )
        else:
            config = BertConfig(
                vocab_size=len(tokenizer),
                max_position_embeddings=max(512, max_length),
                pad_token_id=tokenizer.pad_token_id,
                **MLM_SIZES[size or "small"],
            )
            model = BertForMaskedLM(config)
    finally:
        hf_logging.set_verbosity(verbosity)
    limit = getattr(model.config, "max_position_embeddings", None)
    if limit is not None and max_length > limit:
        raise ValueError(f"max_length={max_length} exceeds the model's {limit} positions.")
    if model.get_input_embeddings().num_embeddings < len(tokenizer):
        raise ValueError("the tokenizer has more tokens than the model's embedding table.")
    return model, state
