"""A bounded, thread-safe store of finished training results, shared by every session of a
server (a page keeps one in `st.cache_resource`): the same experiment is trained once, and a
re-visit is instant. The oldest results are dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict


class BoundedStore:
    def __init__(self, max_items: int = 500):
        self._items: OrderedDict = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def __contains__(self, key) -> bool:
        return key in self._items

    def __getitem__(self, key):
        return self._items[key]

    def get(self, key, default=None):
        return self._items.get(key, default)

    def __setitem__(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
