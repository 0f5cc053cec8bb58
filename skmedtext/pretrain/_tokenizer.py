"""Training a BERT WordPiece tokenizer on a user corpus, offline."""

import os
import re
import string
import unicodedata
from numbers import Integral
from pathlib import Path

from sklearn.utils._param_validation import Interval, validate_params

from skmedtext.pretrain._corpus import read_corpus

__all__ = ["train_wordpiece_tokenizer"]

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# Latin letters, digits and ASCII punctuation are always in the vocabulary, so English
# terms and lab values in mostly-Chinese notes never collapse into [UNK].
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_BASE_ALPHABET = list(
    string.ascii_lowercase + string.ascii_uppercase + string.digits + string.punctuation
)


@validate_params(
    {
        "corpus": "no_validation",
        "vocab_size": [Interval(Integral, 16, None, closed="left")],
        "chinese_chars": ["boolean"],
        "lowercase": ["boolean"],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "limit_alphabet": [Interval(Integral, 1, None, closed="left"), None],
        "output_dir": [str, os.PathLike, None],
        "model_max_length": [Interval(Integral, 8, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def train_wordpiece_tokenizer(
    corpus,
    vocab_size=21128,
    *,
    chinese_chars=True,
    lowercase=True,
    min_frequency=2,
    limit_alphabet=None,
    output_dir=None,
    model_max_length=512,
):
    """Train a BERT WordPiece tokenizer on ``corpus`` and return it as a fast tokenizer.

    The pipeline is the one of Google's BERT (and of Chinese BERT): text cleaning,
    optional lowercasing and accent stripping, whitespace/punctuation splitting and,
    with ``chinese_chars=True``, a split around every CJK ideograph, so each Chinese
    character is its own token and WordPiece merges only ever join Latin letters and
    digits (``"hbv"``, ``"##dna"``). The same corpus and settings give the same
    vocabulary with the same ids on every run.

    Parameters
    ----------
    corpus : sequence of str, path, or sequence of paths
        Documents, or UTF-8 text files with one document per line (see
        :func:`read_corpus <skmedtext.pretrain._corpus.read_corpus>`).
    vocab_size : int, default=21128
        Target vocabulary size (21,128 is Chinese BERT's). The character alphabet is
        always kept whole, so a corpus with more distinct characters than
        ``vocab_size`` yields a larger vocabulary; a small corpus may yield fewer
        pieces because merges need ``min_frequency`` occurrences.
    chinese_chars : bool, default=True
        Split around every CJK character (Chinese BERT). ``False`` leaves Chinese runs
        to WordPiece, which then learns multi-character pieces.
    lowercase : bool, default=True
        Lowercase and strip accents (uncased BERT); appropriate for English terms.
    min_frequency : int, default=2
        Minimum count of a pair for a WordPiece merge.
    limit_alphabet : int or None, default=None
        Keep at most this many of the most frequent characters (others become
        ``[UNK]``). ``None`` keeps every character seen, which is what Chinese needs.
    output_dir : path-like or None, default=None
        If given, the tokenizer is saved there (``tokenizer.json``,
        ``tokenizer_config.json`` and a BERT ``vocab.txt``).
    model_max_length : int, default=512
        Recorded in the tokenizer config; the longest input the model will accept.

    Returns
    -------
    tokenizer : transformers.BertTokenizerFast

    Examples
    --------
    >>> from skmedtext.pretrain import train_wordpiece_tokenizer
    >>> tok = train_wordpiece_tokenizer(["患者胸痛三天", "胸痛伴呼吸困难"], vocab_size=100)
    >>> tok.tokenize("胸痛")
    ['胸', '痛']
    """
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizerFast

    documents = read_corpus(corpus)
    trainer = BertWordPieceTokenizer(
        clean_text=True,
        handle_chinese_chars=chinese_chars,
        strip_accents=None,  # follows lowercase, as in BERT
        lowercase=lowercase,
    )
    alphabet = _BASE_ALPHABET if not lowercase else sorted({c.lower() for c in _BASE_ALPHABET})
    normalizer = trainer._tokenizer.normalizer
    continuations = _continuation_pieces(documents, normalizer, alphabet, chinese_chars)
    trainer.train_from_iterator(
        documents,
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        # tokenizers needs an int; the number of distinct characters bounds the alphabet.
        limit_alphabet=limit_alphabet if limit_alphabet is not None else 10**7,
        initial_alphabet=alphabet,
        # Registering every "##x" piece up front gives them fixed ids. The trainer
        # otherwise creates them in hash-map order, which changes merge tie-breaking
        # and so the vocabulary from run to run (huggingface/tokenizers#1794).
        special_tokens=SPECIAL_TOKENS + continuations,
        show_progress=False,
        length=len(documents),
    )
    tokenizer = BertTokenizerFast(
        vocab=_with_base_pieces(trainer.get_vocab(), alphabet),
        do_lower_case=lowercase,
        tokenize_chinese_chars=chinese_chars,
        model_max_length=model_max_length,
    )
    if output_dir is not None:
        save_tokenizer(tokenizer, output_dir)
    return tokenizer


def _is_split_off(char, chinese_chars):
    """Whether BERT's pre-tokenizer makes ``char`` a word of its own (never a ``##`` piece)."""
    if char.isspace() or unicodedata.category(char).startswith("P") or char in string.punctuation:
        return True
    return chinese_chars and bool(_CJK.match(char))


def _continuation_pieces(documents, normalizer, alphabet, chinese_chars):
    """Every ``##x`` piece the trainer could create, in a fixed (sorted) order."""
    seen = set(alphabet)
    for doc in documents:
        seen.update(doc)
    chars = set()
    for char in seen:
        chars.update(normalizer.normalize_str(char))
    return [f"##{c}" for c in sorted(chars) if not _is_split_off(c, chinese_chars)]


def _with_base_pieces(vocab, alphabet):
    """Add any missing single characters and ``##`` continuations of ``alphabet``.

    WordPiece turns a whole word into ``[UNK]`` when one of its characters has no piece,
    and a corpus that never shows, say, ``##h`` would make every unseen English word
    unknown.
    """
    vocab = dict(vocab)
    for piece in [*alphabet, *(f"##{c}" for c in alphabet)]:
        vocab.setdefault(piece, len(vocab))
    return vocab


def save_tokenizer(tokenizer, output_dir):
    """Save ``tokenizer`` with ``save_pretrained`` plus a ``vocab.txt`` for BERT tooling."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(output_dir))
    vocab = tokenizer.get_vocab() if hasattr(tokenizer, "get_vocab") else None
    is_wordpiece = vocab is not None and "[CLS]" in vocab and "[SEP]" in vocab
    if is_wordpiece and not (output_dir / "vocab.txt").exists():
        ordered = sorted(vocab.items(), key=lambda item: item[1])
        lines = "".join(f"{tok}\n" for tok, _ in ordered)
        (output_dir / "vocab.txt").write_text(lines, encoding="utf-8")
