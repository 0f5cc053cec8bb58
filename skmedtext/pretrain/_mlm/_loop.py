"""The optimisation loop of MLM pretraining and its checkpoints.

One plain torch loop (not ``transformers.Trainer``): owning it lets every source
of randomness be a pure function of ``(seed, step)`` (data order, masking,
dropout), which is what makes a resumed run reproduce an uninterrupted one bit
for bit without pickling generator states, and keeps the behaviour independent
of ``Trainer``/``accelerate`` version changes.
"""

import json
import os
import re
import shutil
import time

from skmedtext.pretrain._mlm._data import Batcher, step_seed
from skmedtext.pretrain._tokenizer import save_tokenizer

__all__ = ["CHECKPOINT", "STATE_FILE", "TrainingLoop", "latest_checkpoint", "mlm_loss"]

#: name of a checkpoint folder, ``checkpoint-<step>``
CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
#: the loop state of a checkpoint (step, history, settings)
STATE_FILE = "trainer_state.json"
_LOG_FILE = "pretrain_log.json"


def latest_checkpoint(out_dir):
    """The complete ``checkpoint-<step>`` folder with the highest step, or None."""
    if not out_dir.is_dir():
        return None
    found = [
        (int(m.group(1)), p)
        for p in out_dir.iterdir()
        if (m := CHECKPOINT.match(p.name)) and (p / STATE_FILE).is_file()
    ]
    return max(found)[1] if found else None


def _mlm_head(model):
    """The prediction head of a BERT- or RoBERTa-style masked-LM model, or None."""
    for name in ("cls", "lm_head"):
        head = getattr(model, name, None)
        if head is not None and model.base_model is not model:
            return head
    return None


def mlm_loss(model, batch):
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


class TrainingLoop:
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
        # imported here: the training core loads torch, which MLM needs only once it runs
        from skmedtext.training import WarmupLinearSchedule

        # the one warm-up schedule of skmedtext: the classifiers' training core uses it too
        self.schedule = WarmupLinearSchedule(settings["warmup_steps"], settings["total_steps"])

    def lr_at(self, step):
        """The learning rate of ``step``: the core's linear warm-up, then linear decay to 0."""
        return self.settings["lr"] * self.schedule(step)

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
        batcher = Batcher(
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
                torch.manual_seed(step_seed(s["seed"], step, 2))  # dropout of this step
                for group in optimizer.param_groups:
                    group["lr"] = self.lr_at(step)
                with torch.autocast(**autocast):
                    loss = mlm_loss(model, batch)
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
        _write_json(tmp / STATE_FILE, payload)
        # Written under a temporary name and renamed, so a crash mid-save never leaves
        # a checkpoint that looks complete.
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        self._rotate()

    def _rotate(self):
        found = sorted(
            (int(m.group(1)), p) for p in self.out_dir.iterdir() if (m := CHECKPOINT.match(p.name))
        )
        for _, path in found[: -self.save_total_limit]:
            shutil.rmtree(path, ignore_errors=True)

    def save_final(self, model, state):
        model.save_pretrained(str(self.out_dir))
        save_tokenizer(self.tokenizer, self.out_dir)
        _write_json(self.out_dir / _LOG_FILE, dict(state, settings=self.settings))


def _write_json(path, payload):
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
