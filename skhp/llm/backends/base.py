"""The interface every LLM backend implements."""

import hashlib
from abc import ABC, abstractmethod

__all__ = ["Backend", "sample_seeds"]


def sample_seeds(seed, n_samples):
    """Seeds of the ``n_samples`` answers sampled for one prompt.

    The first is ``seed`` itself, so that the first of k samples is the
    answer a single sample would be; the others are derived from it by hash,
    so that each sample depends only on its prompt's seed and its rank.

    Parameters
    ----------
    seed : int
        The prompt's seed.
    n_samples : int
        Answers per prompt.

    Returns
    -------
    seeds : list of int
    """
    seeds = [int(seed)]
    for j in range(1, n_samples):
        digest = hashlib.sha256(f"{int(seed)}\0sample\0{j}".encode()).digest()
        seeds.append(int.from_bytes(digest[:8], "little") >> 1)
    return seeds


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
        n_samples=1,
    ):
        """Generate ``n_samples`` continuations of each rendered prompt.

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
        n_samples : int, default=1
            Answers sampled per prompt, in one batched call (``temperature >
            0``; estimators pass 1 for greedy decoding). Sample ``j`` of prompt
            ``i`` uses the seed ``sample_seeds(seeds[i], n_samples)[j]`` where
            the backend controls seeds. Estimators pass the argument only when
            it is above 1, so backends written without it keep working.

        Returns
        -------
        outputs : list of (str, int)
            Generated text and number of generated tokens, per answer:
            ``n_samples`` consecutive entries per prompt (prompt-major), so
            ``len(rendered) * n_samples`` in all.
        """

    @abstractmethod
    def label_logliks(self, rendered, labels, *, batch_size):
        """Log-likelihood of each label as the continuation of each prompt.

        Returns
        -------
        logliks : ndarray of shape (n_prompts, n_labels)
        """
