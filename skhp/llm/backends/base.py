"""The interface every LLM backend implements."""

from abc import ABC, abstractmethod

__all__ = ["Backend"]


class Backend(ABC):
    """A loaded model (or a connection to one) that generates and scores text.

    Backends are created by :func:`skhp.llm.registry.get_backend`, once per
    process and model, and shared by every estimator that names that model.
    Estimators never hold a backend: they look it up by name.

    Attributes
    ----------
    model_key : str
        Identifies the model and its loading options in cache keys.
    """

    model_key = None

    @classmethod
    def resolve_model(cls, model):
        """Normalize and check the ``model`` parameter without loading it.

        Raises ``ValueError`` naming ``model`` when it cannot be used (e.g. a
        path that does not exist), so that a bad value fails at once.
        """
        return model

    @abstractmethod
    def has_chat_template(self):
        """Whether ``chat=True`` is possible (the model has a chat format)."""

    @abstractmethod
    def render(self, user, system_prompt, chat):
        """The exact request for one prompt, as a string (used as cache key).

        Parameters
        ----------
        user : str
            The filled prompt template.
        system_prompt : str or None
            System message.
        chat : bool
            Whether to use the model's chat format.
        """

    @abstractmethod
    def generate(
        self,
        rendered,
        *,
        max_new_tokens,
        temperature,
        top_p,
        top_k,
        seeds,
        stop,
        batch_size,
    ):
        """Generate a continuation of each rendered prompt.

        Parameters
        ----------
        rendered : list of str
            Outputs of :meth:`render`.
        max_new_tokens : int
            Upper bound on generated tokens.
        temperature : float
            0 means greedy decoding (then ``top_p``, ``top_k`` and ``seeds``
            are ignored).
        top_p : float
            Nucleus sampling mass in (0, 1].
        top_k : int or None
            Sample among the ``top_k`` most likely tokens; None or 0: all.
        seeds : list of int or None
            One seed per prompt, so that an output does not depend on which
            other prompts share its batch.
        stop : list of str or None
            Generation of a prompt ends once its text contains one of these;
            the text is cut before it.
        batch_size : int
            Prompts per forward pass (or concurrent requests).

        Returns
        -------
        outputs : list of (str, int)
            Generated text and number of generated tokens, per prompt.
        """

    @abstractmethod
    def label_logliks(self, rendered, labels, *, batch_size):
        """Log-likelihood of each label as the continuation of each prompt.

        Returns
        -------
        logliks : ndarray of shape (n_prompts, n_labels)
        """
