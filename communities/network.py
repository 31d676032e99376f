"""The network of residents and introductions in a site, and its figures.

Residents and groups are the nodes; every introduction that did happen (or
has not yet been marked as not happening) is an edge. Clusters are found with
a union-find over the edges, which is linear in the number of introductions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from .models import Introduction, Resident


@dataclass
class Node:
    key: str  # "r12" for a resident, "g3" for a group
    label: str
    ward: str
    degree: int = 0
    x: float = 0
    y: float = 0


@dataclass
class Cluster:
    nodes: list[Node]

    @property
    def size(self) -> int:
        return len(self.nodes)


@dataclass
class Network:
    nodes: dict[str, Node]
    edges: list[tuple[str, str, bool]]  # (from, to, crosses a ward boundary)
    residents_in_site: int
    clusters: list[Cluster] = field(default_factory=list)

    @property
    def introductions(self) -> int:
        return len(self.edges)

    @property
    def residents_introduced(self) -> int:
        return sum(1 for n in self.nodes.values() if n.key.startswith("r"))

    @property
    def introductions_per_resident(self) -> float:
        if not self.residents_in_site:
            return 0.0
        return self.introductions / self.residents_in_site

    @property
    def largest_cluster(self) -> int:
        return self.clusters[0].size if self.clusters else 0

    @property
    def across_wards(self) -> int:
        return sum(1 for *_, crosses in self.edges if crosses)


def _find(parent: dict[str, str], key: str) -> str:
    while parent[key] != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def build(site) -> Network:
    introductions = Introduction.objects.in_site(site).open().for_network()
    nodes: dict[str, Node] = {}
    edges: list[tuple[str, str, bool]] = []

    def node_for(key, label, area):
        if key not in nodes:
            nodes[key] = Node(key=key, label=label, ward=area.name if area else "")
        nodes[key].degree += 1
        return nodes[key]

    for intro in introductions:
        a = node_for(f"r{intro.resident_id}", str(intro.resident), intro.resident.area)
        if intro.to_resident_id:
            target = intro.to_resident
            b = node_for(f"r{target.pk}", str(target), target.area)
        else:
            group = intro.to_group
            b = node_for(f"g{group.pk}", f"{group.name} (group)", group.area)
        crosses = bool(a.ward and b.ward and a.ward != b.ward)
        edges.append((a.key, b.key, crosses))

    parent = {key: key for key in nodes}
    for a, b, _ in edges:
        root_a, root_b = _find(parent, a), _find(parent, b)
        if root_a != root_b:
            parent[root_a] = root_b
    members = defaultdict(list)
    for key, node in nodes.items():
        members[_find(parent, key)].append(node)
    clusters = sorted(
        (
            Cluster(sorted(m, key=lambda n: (-n.degree, n.label)))
            for m in members.values()
        ),
        key=lambda c: (-c.size, c.nodes[0].label),
    )
    network = Network(
        nodes=nodes,
        edges=edges,
        residents_in_site=Resident.objects.in_site(site).count(),
        clusters=clusters,
    )
    _lay_out(network)
    return network


def _lay_out(network: Network, width: int = 960) -> int:
    """Place each cluster on its own ring, largest first, in rows; returns
    the drawing's height. Deterministic, so the picture is stable."""
    x, y, row_height, gap = 0.0, 0.0, 0.0, 24.0
    for cluster in network.clusters:
        radius = max(18.0, 9.0 * cluster.size / math.pi)
        size = 2 * radius + gap
        if x + size > width and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + radius + gap / 2, y + radius + gap / 2
        for i, node in enumerate(cluster.nodes):
            if cluster.size == 1:
                node.x, node.y = cx, cy
            else:
                angle = 2 * math.pi * i / cluster.size
                node.x = round(cx + radius * math.cos(angle), 1)
                node.y = round(cy + radius * math.sin(angle), 1)
        x += size
        row_height = max(row_height, size)
    return int(y + row_height)
