"""The service layer: the application object :class:`Collaborative` and the use cases it
delegates to, one module each (recording a batch, opening a store, building publications and
passing them through the privacy gate, the outbox)."""

from collab_core.service.collaborative import Collaborative
from collab_core.service.delivery import DeliveryReport
from collab_core.service.opening import scheme_of
from collab_core.service.retry import RetryPolicy

__all__ = ["Collaborative", "DeliveryReport", "RetryPolicy", "scheme_of"]
