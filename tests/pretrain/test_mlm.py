"""Masked-language-model pretraining: learning, the HF folder it writes, resuming, errors."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import skmedtext.pretrain._mlm._loop as mlm_loop
from skmedtext.datasets import load_department_triage
from skmedtext.pretrain import pretrain_mlm, read_corpus, train_wordpiece_tokenizer
from skmedtext.pretrain._mlm._data import Batcher, build_sequences

TINY = dict(size="tiny", batch_size=8, max_length=32, lr=1e-3, warmup_steps=3, progress=False)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # These models are tiny: a second intra-op thread buys nothing, and on a shared,
    # busy CPU it made a 40-step run 20x slower (thread spin-waits).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def triage(data_root):
    return load_department_triage(data_home=data_root, as_frame=True).frame


@pytest.fixture(scope="module")
def corpus(triage):
    """A few hundred unlabelled Chinese texts: titles, questions and doctors' answers."""
    rows = triage.iloc[:120]
    texts = [*rows["title"], *rows["ask"], *rows["answer"]]
    return [t for t in texts if t.strip()]


@pytest.fixture(scope="module")
def pretrained(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("mlm") / "encoder"
    path = pretrain_mlm(
        corpus, out, size="tiny", max_steps=40, batch_size=16, max_length=64, lr=1e-3,
        warmup_steps=4, logging_steps=5, save_steps=20, whole_word_masking="jieba", progress=False,
    )
    return Path(path)


def _history(path):
    return json.loads((Path(path) / "pretrain_log.json").read_text(encoding="utf-8"))["history"]


def _weights(path):
    from safetensors.torch import load_file

    return load_file(str(Path(path) / "model.safetensors"))


# -- learning and the output folder -----------------------------------------------------
def test_loss_falls(pretrained):
    losses = [h["loss"] for h in _history(pretrained)]
    assert len(losses) == 8
    assert np.isfinite(losses).all()
    # the first window starts near ln(vocab); 40 steps must learn at least the unigram
    assert np.mean(losses[-2:]) < losses[0] - 0.3


def test_output_is_a_normal_hf_folder(pretrained):
    from transformers import AutoModel, AutoTokenizer

    for name in ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt"):
        assert (pretrained / name).is_file(), name
    tokenizer = AutoTokenizer.from_pretrained(str(pretrained))
    assert tokenizer.tokenize("胸痛三天") == ["胸", "痛", "三", "天"]
    model = AutoModel.from_pretrained(str(pretrained))
    assert (model.config.num_hidden_layers, model.config.hidden_size) == (2, 64)
    batch = tokenizer(["患者胸痛三天", "乙肝"], padding=True, return_tensors="pt")
    with torch.no_grad():
        states = model(**batch).last_hidden_state
    assert states.shape == (2, batch["input_ids"].shape[1], 64)
    # the encoder part is the trained one, not a fresh initialisation
    trained = _weights(pretrained)["bert.embeddings.word_embeddings.weight"]
    assert torch.equal(model.get_input_embeddings().weight.detach(), trained)


def test_skmedtext_encoders_and_dmt_bert_load_the_folder(pretrained, triage):
    from skmedtext.encoders import input_embedding_space, load_encoder
    from skmedtext.models import DMTBertClassifier

    spec, tokenizer, model = load_encoder(str(pretrained))
    assert spec.path == str(pretrained.resolve())
    X = triage["text"].to_numpy(dtype=object)[:96]
    y = triage["target"].to_numpy(dtype=object)[:96]
    clf = DMTBertClassifier(
        model_name_or_path=str(pretrained), max_epochs=1, max_length=32, batch_size=16,
        random_state=0,
    )
    clf.fit(X[:80], y[:80])
    pred = clf.predict(X[80:])
    assert pred.shape == (16,) and set(pred) <= set(y[:80])
    assert clf.embedding_space_ == input_embedding_space(model)


def test_continue_pretraining_keeps_the_tokenizer(pretrained, corpus, tmp_path):
    out = pretrain_mlm(
        corpus[:60], tmp_path / "continued", model_name_or_path=str(pretrained), max_steps=3,
        batch_size=4, max_length=32, progress=False,
    )
    assert (Path(out) / "vocab.txt").read_text() == (pretrained / "vocab.txt").read_text()
    before, after = _weights(pretrained), _weights(out)
    assert before.keys() == after.keys()
    assert not torch.equal(before["bert.encoder.layer.0.attention.self.query.weight"],
                           after["bert.encoder.layer.0.attention.self.query.weight"])


def test_continuing_a_model_without_mlm_head_warns(corpus, tmp_path):
    from transformers import BertConfig, BertModel

    from skmedtext.pretrain._tokenizer import save_tokenizer

    # A bare encoder folder, as sentence-embedding models (e.g. MiniLM) ship.
    folder = tmp_path / "bare"
    tokenizer = train_wordpiece_tokenizer(corpus[:50], vocab_size=200)
    BertModel(BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=64)).save_pretrained(str(folder))
    save_tokenizer(tokenizer, folder)
    with pytest.warns(UserWarning, match="no masked-LM head"):
        pretrain_mlm(corpus[:50], tmp_path / "out", model_name_or_path=str(folder), max_steps=1,
                     batch_size=4, max_length=16, progress=False)


# -- data layout and masking -------------------------------------------------------------
def test_packing_fills_sequences_and_whole_words_are_masked_together(corpus):
    tokenizer = train_wordpiece_tokenizer(corpus, vocab_size=500)
    data = build_sequences(corpus, tokenizer, 32, True, "jieba")
    lengths = data["lengths"]
    assert (lengths[:-1] == 32).all()
    assert (data["ids"][:, 0] == tokenizer.cls_token_id).all()
    n_tokens = sum(len(tokenizer.tokenize(t)) + 1 for t in corpus)  # + one [SEP] per document
    assert lengths.sum() == n_tokens + len(lengths)  # + one [CLS] per sequence
    batcher = Batcher(data, tokenizer, 0.3, "jieba", 16, seed=0)
    for step in range(3):
        batch, _ = batcher(step)
        rows = batcher.rows(step)
        words = data["words"][rows, : batch["labels"].shape[1]]
        masked = (batch["labels"] != -100).numpy()
        assert masked.any()
        assert not (masked & data["special"][rows, : masked.shape[1]]).any()
        for r, c in zip(*np.nonzero(masked)):  # every token of a masked word is masked
            assert masked[r][words[r] == words[r, c]].all()
    # jieba words of several characters exist, so this is not per-character masking
    assert any(np.unique(w[w >= 0], return_counts=True)[1].max() > 1 for w in data["words"][:5])


def test_without_packing_each_document_is_its_own_sequence(corpus):
    tokenizer = train_wordpiece_tokenizer(corpus[:30], vocab_size=300)
    data = build_sequences(corpus[:30], tokenizer, 512, False, False)
    assert len(data["lengths"]) == 30
    assert data["words"] is None


# -- resuming ----------------------------------------------------------------------------
def test_resume_after_a_crash_gives_the_uninterrupted_weights(corpus, tmp_path, monkeypatch):
    docs = corpus[:200]
    kwargs = dict(TINY, max_steps=20, save_steps=5, logging_steps=5, whole_word_masking="jieba")
    rng_before = torch.get_rng_state()
    straight = pretrain_mlm(docs, tmp_path / "straight", **kwargs)
    assert torch.equal(torch.get_rng_state(), rng_before)  # the caller's RNG is left alone

    calls = {"n": 0}
    real_loss = mlm_loop.mlm_loss

    def crash_at_step_13(model, batch):
        calls["n"] += 1
        if calls["n"] == 13:
            raise RuntimeError("simulated crash")
        return real_loss(model, batch)

    monkeypatch.setattr(mlm_loop, "mlm_loss", crash_at_step_13)
    with pytest.raises(RuntimeError, match="simulated crash"):
        pretrain_mlm(docs, tmp_path / "resumed", **kwargs)
    monkeypatch.setattr(mlm_loop, "mlm_loss", real_loss)
    kept = sorted(p.name for p in (tmp_path / "resumed").glob("checkpoint-*"))
    assert kept == ["checkpoint-10", "checkpoint-5"]
    assert not (tmp_path / "resumed" / "config.json").exists()

    resumed = pretrain_mlm(docs, tmp_path / "resumed", **kwargs)
    a, b = _weights(straight), _weights(resumed)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)  # bit-identical on CPU
    assert _history(straight) == _history(resumed)


def test_raising_max_steps_extends_a_finished_run(corpus, tmp_path):
    docs = corpus[:100]
    kwargs = dict(TINY, save_steps=5, logging_steps=5)
    out = tmp_path / "run"
    pretrain_mlm(docs, out, max_steps=10, **kwargs)
    first = _history(out)
    pretrain_mlm(docs, out, max_steps=20, **kwargs)
    log = json.loads((out / "pretrain_log.json").read_text(encoding="utf-8"))
    assert log["step"] == 20
    assert [h["step"] for h in log["history"]] == [5, 10, 15, 20]
    assert log["history"][:2] == first
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-15", "checkpoint-20"]
    # Finished: calling again trains nothing and keeps the weights.
    before = _weights(out)
    pretrain_mlm(docs, out, max_steps=20, **kwargs)
    assert all(torch.equal(before[k], v) for k, v in _weights(out).items())


def test_resume_refuses_a_different_run(corpus, tmp_path):
    out = tmp_path / "run"
    pretrain_mlm(corpus[:60], out, max_steps=2, **TINY)
    with pytest.raises(ValueError, match="max_length"):
        pretrain_mlm(corpus[:60], out, max_steps=4, **dict(TINY, max_length=48))
    with pytest.raises(ValueError, match="corpus"):
        pretrain_mlm(corpus[:50], out, max_steps=4, **TINY)
    with pytest.raises(ValueError, match="resume=True"):
        pretrain_mlm(corpus[:60], out, max_steps=4, resume=False, **TINY)


@pytest.mark.parametrize("bf16", [True, False])
def test_bf16_is_offered_on_cpu_and_deterministic(corpus, tmp_path, bf16):
    # bf16=True on CPU used to be refused; CPU autocast is now the fast path where
    # the CPU has bf16 units, and forcing it elsewhere still trains.
    kwargs = dict(TINY, max_steps=3, device="cpu", bf16=bf16)
    first = pretrain_mlm(corpus[:40], tmp_path / "a", **kwargs)
    second = pretrain_mlm(corpus[:40], tmp_path / "b", **kwargs)
    a, b = _weights(first), _weights(second)
    assert all(v.dtype == torch.float32 for v in a.values())  # fp32 master weights
    assert all(torch.equal(a[k], b[k]) for k in a)


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad, error, match",
    [
        ([], ValueError, "empty"),
        (["  ", ""], ValueError, "non-blank"),
        ("患者胸痛三天", TypeError, "single string"),
        ([1, 2, 3], TypeError, "str"),
        (["胸痛", None], ValueError, "missing"),
        (b"bytes", TypeError, "bytes"),
        ("no/such/corpus.txt", FileNotFoundError, "does not exist"),
    ],
)
def test_bad_corpus_errors(bad, error, match, tmp_path):
    with pytest.raises(error, match=match):
        pretrain_mlm(bad, tmp_path / "out", max_steps=1, **TINY)


def test_corpus_files_and_mixed_input(tmp_path):
    good = tmp_path / "notes.txt"
    good.write_text("\ufeff胸痛三天\n\n  发热咳嗽  \n", encoding="utf-8")
    assert read_corpus(good) == read_corpus([str(good)]) == ["胸痛三天", "发热咳嗽"]
    with pytest.raises(ValueError, match="mixes"):
        read_corpus([str(good), str(tmp_path / "typo.txt")])
    with pytest.raises(FileNotFoundError):
        read_corpus([Path(tmp_path / "missing.txt")])


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(size="huge"), "size"),
        (dict(max_length=4), "max_length"),
        (dict(mlm_probability=0.0), "mlm_probability"),
        (dict(bf16="yes"), "bf16"),
        (dict(model_name_or_path="minilm-en", size="tiny"), "from scratch"),
        (dict(tokenizer=42), "tokenizer"),
    ],
)
def test_bad_parameters_error(params, match, corpus, tmp_path):
    kwargs = dict(max_steps=1, progress=False, **params)
    with pytest.raises((ValueError, TypeError), match=match):
        pretrain_mlm(corpus[:20], tmp_path / "out", **kwargs)
