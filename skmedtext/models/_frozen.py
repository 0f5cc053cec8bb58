"""``trainable_layers`` above a cached frozen stack: the part DMT-BERT and the BERT taggers share."""

__all__ = ["FrozenStackMixin"]


class FrozenStackMixin:
    """Freeze an encoder's bottom layers and serve their cached output.

    The estimator has ``trainable_layers`` and ``frozen_cache`` parameters and
    says where its fitted module keeps the Hugging Face encoder
    (``_tuned_encoder``). Sets ``frozen_space_`` (the space of the frozen
    stack's output) and the private ``_stack``
    (:class:`~skmedtext.encoders.FrozenStack`).
    """

    def _tuned_encoder(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _start_frozen_stack(self, encoder):
        """Freeze the bottom layers (``trainable_layers``) and name the space they output."""
        self._stack = None
        self.__dict__.pop("frozen_space_", None)
        if self.trainable_layers is None:
            return
        from skmedtext.encoders import FrozenStack, frozen_stack_folder

        folder = frozen_stack_folder(self.frozen_cache)
        self._stack = FrozenStack(encoder, self.trainable_layers, folder=folder)
        self.frozen_space_ = self._stack.space

    def _frozen_stack(self):
        """The frozen stack; a loaded model builds it from its loaded weights on first use.

        (At restore time the encoder still holds random weights, so the stack's
        space digest must wait until the saved weights are in.)
        """
        if getattr(self, "_stack", None) is None and self.trainable_layers is not None:
            saved = self.__dict__.get("frozen_space_")
            self._start_frozen_stack(self._tuned_encoder())
            self._stack.check_saved_space(saved, type(self).__name__)
        return getattr(self, "_stack", None)

    def _frozen_cut(self, encoder):
        """The layer the trainable top starts at (None: the whole encoder trains)."""
        if self.trainable_layers is None:
            return None
        from skmedtext.encoders import encoder_layers

        # capped at the depth, as FrozenStack does: the default fits small encoders
        return max(0, len(encoder_layers(encoder)) - self.trainable_layers)

    def _frozen_state(self):
        """What persistence saves: the frozen space the loaded weights must rebuild."""
        return {"frozen_space": self.__dict__.get("frozen_space_")}

    def _restore_frozen_state(self, state):
        # the encoder holds random weights until the core loads the saved ones: the
        # frozen stack is built from those on first use (_frozen_stack)
        self._stack = None
        self.__dict__.pop("frozen_space_", None)
        if state.get("frozen_space") is not None:
            self.frozen_space_ = state["frozen_space"]
