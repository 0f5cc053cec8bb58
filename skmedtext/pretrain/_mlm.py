"""Masked-language-model pretraining of a BERT encoder on a user corpus, offline.

One plain torch loop (not ``transformers.Trainer``): the loop is ~80 lines, and
owning it lets every source of randomness be a pure function of ``(seed, step)``
(data order, masking, dropout), which is what makes a resumed run reproduce an
uninterrupted one bit for bit without pickling generator states, and keeps the
behaviour independent of ``Trainer``/``accelerate`` version changes.
"""

import hashlib
import json
import math
import os
import re
import shutil
import time
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from skmedtext.pretrain._corpus import read_corpus
from skmedtext.pretrain._tokenizer import save_tokenizer, train_wordpiece_tokenizer

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

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
_STATE_FILE = "trainer_state.json"
_LOG_FILE = "pretrain_log.json"
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
    bf16 autocast on CUDA, and writes resumable checkpoints to ``out_dir``.

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
        bf16 autocast; ``"auto"`` uses it on CUDA devices that support it. Weights
        and optimizer state stay fp32.
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

    from skmedtext.utils import resolve_device

    if model_name_or_path is not None and (size is not None or tokenizer is not None):
        raise ValueError(
            "size and tokenizer apply to a model trained from scratch; continuing "
            f"{str(model_name_or_path)!r} keeps its own architecture and tokenizer."
        )
    began = time.perf_counter()
    device = resolve_device(device)
    use_bf16 = _resolve_bf16(bf16, device)
    wwm = "jieba" if whole_word_masking is True else (whole_word_masking or False)
    out_dir = Path(out_dir).expanduser()
    checkpoint = _latest_checkpoint(out_dir)
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
    data = _build_sequences(documents, tokenizer, max_length, packing, wwm)
    steps_per_epoch = math.ceil(len(data["lengths"]) / batch_size)
    if max_steps is not None:
        total_steps = max_steps
    else:
        total_steps = max(1, math.ceil(epochs * steps_per_epoch))
    warmup = warmup_steps if warmup_steps is not None else int(0.1 * total_steps)
    fingerprint = {
        "corpus_sha1": _sha1("\n".join(documents)),
        "model": source,
        "vocab_sha1": _sha1(json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False)),
        "whole_word_masking": wwm,
        "max_length": max_length,
        "mlm_probability": mlm_probability,
        "batch_size": batch_size,
        "packing": packing,
        "seed": seed,
    }
    settings = dict(
        fingerprint, lr=lr, weight_decay=weight_decay, warmup_steps=warmup,
        total_steps=total_steps, grad_clip=grad_clip, bf16=use_bf16, device=device,
        n_documents=len(documents), n_sequences=int(len(data["lengths"])),
        n_tokens=int(data["lengths"].sum()), steps_per_epoch=steps_per_epoch,
        prepare_s=time.perf_counter() - began,  # corpus, tokenizer training, tokenisation
    )
    loop = _Loop(
        data, tokenizer, settings, out_dir, save_steps=save_steps,
        save_total_limit=save_total_limit, logging_steps=logging_steps, progress=progress,
    )
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


def _resolve_bf16(bf16, device):
    import torch

    is_cuda = device.startswith("cuda")
    if bf16 == "auto":
        return is_cuda and torch.cuda.is_bf16_supported()
    if bf16 and not is_cuda:
        raise ValueError(f"bf16=True needs a CUDA device; got device={device!r}.")
    return bool(bf16)


def _sha1(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _latest_checkpoint(out_dir):
    """The complete ``checkpoint-<step>`` folder with the highest step, or None."""
    if not out_dir.is_dir():
        return None
    found = [
        (int(m.group(1)), p)
        for p in out_dir.iterdir()
        if (m := _CHECKPOINT.match(p.name)) and (p / _STATE_FILE).is_file()
    ]
    return max(found)[1] if found else None


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
            state = json.loads((checkpoint / _STATE_FILE).read_text(encoding="utf-8"))
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


# -- data ----------------------------------------------------------------------


def _jieba_word_ids(document, offsets):
    """Index of the jieba word each token starts in (the same id = one word)."""
    import jieba

    char_word = np.zeros(len(document) + 1, dtype=np.int64)
    for k, (_, start, end) in enumerate(jieba.tokenize(document)):
        char_word[start:end] = k
    starts = np.array([s for s, _ in offsets], dtype=np.int64).reshape(-1)
    return char_word[np.minimum(starts, len(document))]


def _encode(documents, tokenizer, wwm, chunk=4096):
    """Token ids (and jieba word ids) of every document, without special tokens."""
    if wwm:
        import jieba

        jieba.setLogLevel(60)  # no "Building prefix dict" chatter
    ids, words = [], []
    for begin in range(0, len(documents), chunk):
        batch = documents[begin : begin + chunk]
        enc = tokenizer(
            batch,
            add_special_tokens=False,
            return_attention_mask=False,
            return_token_type_ids=False,
            return_offsets_mapping=bool(wwm),
            verbose=False,
        )
        for k, doc in enumerate(batch):
            ids.append(np.asarray(enc["input_ids"][k], dtype=np.int32))
            if wwm:
                words.append(_jieba_word_ids(doc, enc["offset_mapping"][k]))
    return ids, (words if wwm else None)


def _build_sequences(documents, tokenizer, max_length, packing, wwm):
    """Tokenise once and lay the corpus out as a padded ``(n, max_length)`` table.

    Returns a dict with ``ids`` (int32), ``special`` (bool: [CLS]/[SEP]/padding,
    never masked), ``lengths`` and, for whole-word masking, ``words`` (int64 word
    ids, -1 on special positions; equal ids = one word).
    """
    ids, words = _encode(documents, tokenizer, wwm)
    cls_id, sep_id, pad_id = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    if cls_id is None or sep_id is None:
        raise ValueError("the tokenizer needs [CLS] and [SEP] (or <s> and </s>) tokens.")
    body = max_length - 1 if packing else max_length - 2
    rows = []  # (ids, words) of each sequence body, without [CLS] (and [SEP] when not packed)
    if packing:
        stream = np.concatenate([np.append(x, sep_id) for x in ids])
        wstream = None
        if wwm:
            offset, parts = 0, []
            for w in words:  # make word ids unique across documents
                parts.append(np.append(w + offset, -1))
                offset += int(w.max(initial=-1)) + 1
            wstream = np.concatenate(parts)
        for start in range(0, len(stream), body):
            piece = slice(start, start + body)
            rows.append((stream[piece], None if wstream is None else wstream[piece]))
        rows = [(r, w) for r, w in rows if len(r) and not np.all(r == sep_id)]
    else:
        for k, x in enumerate(ids):
            for start in range(0, len(x), body):
                piece = np.append(x[start : start + body], sep_id)
                wpiece = None if words is None else np.append(words[k][start : start + body], -1)
                rows.append((piece, wpiece))
    if not rows:
        raise ValueError("the corpus produced no tokens.")
    n = len(rows)
    table = np.full((n, max_length), pad_id, dtype=np.int32)
    word_table = np.full((n, max_length), -1, dtype=np.int64) if wwm else None
    lengths = np.empty(n, dtype=np.int64)
    for i, (r, w) in enumerate(rows):
        table[i, 0] = cls_id
        table[i, 1 : len(r) + 1] = r
        lengths[i] = len(r) + 1
        if wwm:
            word_table[i, 1 : len(w) + 1] = w
    positions = np.arange(max_length)[None, :]
    special = (table == cls_id) | (table == sep_id) | (positions >= lengths[:, None])
    if wwm:
        word_table[special] = -1
    return {"ids": table, "special": special, "lengths": lengths, "words": word_table}


def _round_up(n, multiple=8):
    return int(math.ceil(n / multiple) * multiple)


def _step_seed(seed, step, stream):
    """A 32-bit seed for one purpose (``stream``) at one step of one run."""
    return int(np.random.SeedSequence([seed, step, stream]).generate_state(1)[0])


class _Batcher:
    """Picks the rows of a step and masks them with transformers' MLM collator."""

    def __init__(self, data, tokenizer, mlm_probability, wwm, batch_size, seed):
        from transformers import DataCollatorForLanguageModeling

        self.data = data
        self.batch_size = batch_size
        self.seed = seed
        self.n = len(data["lengths"])
        self.steps_per_epoch = math.ceil(self.n / batch_size)
        with warnings.catch_warnings():
            # whole-word masking in transformers always uses [MASK] (it says so loudly)
            warnings.simplefilter("ignore", UserWarning)
            self.collator = DataCollatorForLanguageModeling(
                tokenizer,
                mlm_probability=mlm_probability,
                whole_word_mask=bool(wwm),
                mask_replace_prob=1.0 if wwm else 0.8,
                random_replace_prob=0.0 if wwm else 0.1,
            )
        self._order_epoch, self._order = None, None

    def rows(self, step):
        """Row indices of ``step``: a fresh permutation per epoch, a function of (seed, epoch)."""
        epoch, position = divmod(step, self.steps_per_epoch)
        if self._order_epoch != epoch:
            self._order = np.random.default_rng([self.seed, epoch]).permutation(self.n)
            self._order_epoch = epoch
        return self._order[position * self.batch_size : (position + 1) * self.batch_size]

    def __call__(self, step):
        import torch

        rows = self.rows(step)
        width = min(self.data["ids"].shape[1], _round_up(int(self.data["lengths"][rows].max())))
        ids = torch.from_numpy(self.data["ids"][rows, :width].astype(np.int64))
        special = torch.from_numpy(self.data["special"][rows, :width])
        offsets = None
        if self.data["words"] is not None:
            # transformers finds word boundaries from offset mappings (a gap between a
            # token's start and the previous token's end starts a word). Chinese has no
            # gaps, so encode the jieba word ids as offsets: token k of word w spans
            # (k + w, k + 1 + w), contiguous within a word, with a gap at each new word.
            words = self.data["words"][rows, :width]
            k = np.arange(width)[None, :]
            offsets = np.stack([k + words, k + 1 + words], axis=-1)
        self.collator.generator = torch.Generator().manual_seed(_step_seed(self.seed, step, 1))
        input_ids, labels = self.collator.torch_mask_tokens(
            ids, special_tokens_mask=special, offset_mapping=offsets
        )
        if not (labels != -100).any():
            # A tiny batch can draw no mask at all; predict its first real token then.
            first = int(np.argmax(~special.numpy().ravel()))
            labels.view(-1)[first] = ids.view(-1)[first]
            input_ids.view(-1)[first] = self.collator.tokenizer.mask_token_id
        lengths = torch.from_numpy(self.data["lengths"][rows])
        attention_mask = (torch.arange(width)[None, :] < lengths[:, None]).long()
        batch = {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
        return batch, int(lengths.sum())


# -- loop ----------------------------------------------------------------------


def _mlm_head(model):
    """The prediction head of a BERT- or RoBERTa-style masked-LM model, or None."""
    for name in ("cls", "lm_head"):
        head = getattr(model, name, None)
        if head is not None and model.base_model is not model:
            return head
    return None


def _mlm_loss(model, batch):
    """Cross-entropy over the masked positions.

    Like Google's BERT (``max_predictions_per_seq``), the vocabulary projection runs
    only on the ~15 % masked positions instead of every token: with a 21k-piece
    vocabulary that projection otherwise dominates the cost of a small model. The
    loss equals ``model(**batch).loss``.
    """
    import torch.nn.functional as F

    head = _mlm_head(model)
    if head is None:
        return model(**batch).loss
    states = model.base_model(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    labels = batch["labels"]
    selected = labels != -100
    logits = head(states[selected])
    return F.cross_entropy(logits.float(), labels[selected])


class _Loop:
    """The optimisation loop with its checkpoints; ``settings`` holds every run setting."""

    def __init__(self, data, tokenizer, settings, out_dir, *, save_steps, save_total_limit,
                 logging_steps, progress):
        self.data = data
        self.tokenizer = tokenizer
        self.settings = settings
        self.out_dir = out_dir
        self.save_steps = save_steps
        self.save_total_limit = save_total_limit
        self.logging_steps = logging_steps
        self.progress = progress

    def lr_at(self, step):
        """Linear warm-up to ``lr`` then linear decay to 0 at the last step."""
        s = self.settings
        warmup, total = s["warmup_steps"], s["total_steps"]
        if step < warmup:
            factor = (step + 1) / warmup
        else:
            factor = max(0.0, (total - step) / max(1, total - warmup))
        return s["lr"] * factor

    def optimizer(self, model, checkpoint):
        import torch

        no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]  # biases, LayerNorm
        decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
        opt = torch.optim.AdamW(
            [
                {"params": decay, "weight_decay": self.settings["weight_decay"]},
                {"params": no_decay, "weight_decay": 0.0},
            ],
            lr=self.settings["lr"],
            betas=(0.9, 0.999),
            eps=1e-6,
        )
        if checkpoint is not None:
            saved = torch.load(checkpoint / "optimizer.pt", map_location="cpu", weights_only=True)
            opt.load_state_dict(saved)
        return opt

    def run(self, model, state, checkpoint):
        import torch
        from tqdm.auto import tqdm

        s = self.settings
        device, total = s["device"], s["total_steps"]
        batcher = _Batcher(
            self.data, self.tokenizer, s["mlm_probability"], s["whole_word_masking"],
            s["batch_size"], s["seed"],
        )
        optimizer = self.optimizer(model, checkpoint)
        step = int(state["step"])
        window = []
        started, elapsed0 = time.perf_counter(), float(state.get("elapsed_s", 0.0))
        model.train()
        bar = tqdm(
            total=total, initial=min(step, total), desc="MLM pretraining", unit="step",
            disable=not self.progress,
        )
        autocast = dict(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=s["bf16"])
        try:
            while step < total:
                batch, n_tokens = batcher(step)
                batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
                torch.manual_seed(_step_seed(s["seed"], step, 2))  # dropout of this step
                for group in optimizer.param_groups:
                    group["lr"] = self.lr_at(step)
                with torch.autocast(**autocast):
                    loss = _mlm_loss(model, batch)
                loss.backward()
                if s["grad_clip"] is not None:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), s["grad_clip"])
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                window.append(loss.detach())
                state["tokens_seen"] = int(state.get("tokens_seen", 0)) + n_tokens
                bar.update(1)
                if step % self.logging_steps == 0 or step == total:
                    mean = float(torch.stack(window).float().mean())  # one device sync per window
                    entry = {"step": step, "loss": mean, "lr": self.lr_at(step - 1)}
                    state["history"].append(entry)
                    bar.set_postfix(loss=f"{mean:.3f}")
                    window = []
                state["step"] = step
                if (self.save_steps and step % self.save_steps == 0) or step == total:
                    state["elapsed_s"] = elapsed0 + time.perf_counter() - started
                    self.save_checkpoint(model, optimizer, state)
        finally:
            bar.close()
        state["elapsed_s"] = elapsed0 + time.perf_counter() - started
        self.save_final(model, state)

    def save_checkpoint(self, model, optimizer, state):
        import torch

        final = self.out_dir / f"checkpoint-{state['step']}"
        tmp = self.out_dir / f".tmp-checkpoint-{state['step']}"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(str(tmp))
        save_tokenizer(self.tokenizer, tmp)
        torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
        payload = dict(state, settings=self.settings)
        _write_json(tmp / _STATE_FILE, payload)
        # Written under a temporary name and renamed, so a crash mid-save never leaves
        # a checkpoint that looks complete.
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        self._rotate()

    def _rotate(self):
        found = sorted(
            (int(m.group(1)), p) for p in self.out_dir.iterdir() if (m := _CHECKPOINT.match(p.name))
        )
        for _, path in found[: -self.save_total_limit]:
            shutil.rmtree(path, ignore_errors=True)

    def save_final(self, model, state):
        model.save_pretrained(str(self.out_dir))
        save_tokenizer(self.tokenizer, self.out_dir)
        _write_json(self.out_dir / _LOG_FILE, dict(state, settings=self.settings))


def _write_json(path, payload):
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
