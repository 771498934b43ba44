"""The generalization lattice: every combination of one hierarchy level per quasi-identifier.

A node is a tuple of levels ``(l_1, ..., l_d)`` with ``0 <= l_j <= h_j``. Node ``G`` is a
*generalization* of node ``N`` (``N <= G``) when ``N_j <= G_j`` for every column. The lattice
numbers its nodes in mixed radix (the last column varies fastest), so node ``i`` and its direct
generalizations (one column one level up) are found by index arithmetic, and sets of nodes are
plain boolean arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Lattice"]


class Lattice:
    """All nodes of a full-domain generalization lattice, as arrays.

    Parameters
    ----------
    heights : sequence of int
        The height of each quasi-identifier's hierarchy (levels run from 0 to the height).

    Attributes
    ----------
    heights : numpy.ndarray
        ``(d,)`` heights.
    nodes : numpy.ndarray
        ``(size, d)`` levels of every node; row ``i`` is node ``i``.
    strides : numpy.ndarray
        ``(d,)`` index step of one level up in each column.
    successors : list of numpy.ndarray
        Per column ``j``, the index of the node one level higher in ``j``; at the top level,
        ``size`` (one past the last node, a sentinel).
    """

    __slots__ = ("_at_least", "_at_most", "heights", "nodes", "strides", "successors")

    def __init__(self, heights: Sequence[int]) -> None:
        self.heights = np.asarray(list(heights), dtype=np.int64)
        d = len(self.heights)
        radix = self.heights + 1
        self.strides = np.ones(d, dtype=np.int64)
        for j in range(d - 2, -1, -1):
            self.strides[j] = self.strides[j + 1] * radix[j + 1]
        size = int(np.prod(radix)) if d else 1
        index = np.arange(size, dtype=np.int64)
        self.nodes = np.empty((size, d), dtype=np.int64)
        for j in range(d):
            self.nodes[:, j] = (index // self.strides[j]) % radix[j]
        # per column and level v: which nodes have that column at most / at least v
        self._at_most = [
            [self.nodes[:, j] <= v for v in range(int(self.heights[j]) + 1)] for j in range(d)
        ]
        self._at_least = [
            [self.nodes[:, j] >= v for v in range(int(self.heights[j]) + 1)] for j in range(d)
        ]
        self.successors = [
            np.where(self.nodes[:, j] < self.heights[j], index + self.strides[j], size)
            for j in range(d)
        ]

    @property
    def size(self) -> int:
        """The number of nodes."""
        return int(self.nodes.shape[0])

    def index(self, levels: Sequence[int]) -> int:
        """The index of the node with these levels."""
        return int(np.dot(np.asarray(levels, dtype=np.int64), self.strides))

    def down_set(self, i: int) -> np.ndarray:
        """Boolean mask of node ``i`` and every node it generalizes (all levels <=)."""
        return self._cut(self._at_most, i)

    def up_set(self, i: int) -> np.ndarray:
        """Boolean mask of node ``i`` and all its generalizations (all levels >=)."""
        return self._cut(self._at_least, i)

    def _cut(self, tables: list[list[np.ndarray]], i: int) -> np.ndarray:
        out = np.ones(self.size, dtype=bool)
        for j, v in enumerate(self.nodes[i]):
            out &= tables[j][int(v)]
        return out

    def maximal(self, members: np.ndarray) -> np.ndarray:
        """The members none of whose direct generalizations is a member (boolean mask)."""
        padded = np.append(members, False)  # the sentinel "node" past the top is never a member
        out = members.copy()
        for succ in self.successors:
            out &= ~padded[succ]
        return out
