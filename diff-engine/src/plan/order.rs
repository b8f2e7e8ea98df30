//! Ordering statements: a dependency graph (petgraph) built from what each statement needs, creates and
//! drops, walked in topological order with ties broken by phase (adds early, drops late), then by the
//! order the diff produced (object names), so the same input always gives the same order.

use super::steps::{Key, Step};
use petgraph::graph::{DiGraph, NodeIndex};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// Statement groups: the steps of one change stay in their order.
pub(crate) struct Group {
    pub steps: Vec<Step>,
}

/// Statements that each need another of them to run first: no order satisfies them. Never resolved with
/// CASCADE; the objects are named so the declaration can be changed (or the step written by hand).
#[derive(Debug, thiserror::Error)]
#[error(
    "these statements depend on each other in a cycle, so no order can run them: {}; \
     change one of the objects they name, or write this migration by hand",
    .0.join("; ")
)]
pub struct CycleError(pub Vec<String>);

/// The steps of all groups in an order that satisfies every dependency.
pub(crate) fn order(groups: Vec<Group>) -> Result<Vec<Step>, CycleError> {
    let mut graph: DiGraph<Step, ()> = DiGraph::new();
    let mut chains = Vec::new();
    for group in groups {
        let nodes: Vec<NodeIndex> = group.steps.into_iter().map(|s| graph.add_node(s)).collect();
        chains.push(nodes);
    }

    let mut creators: BTreeMap<&Key, Vec<NodeIndex>> = BTreeMap::new();
    let mut droppers: BTreeMap<&Key, Vec<NodeIndex>> = BTreeMap::new();
    let mut modifiers: BTreeMap<&Key, Vec<NodeIndex>> = BTreeMap::new();
    for node in graph.node_indices() {
        for key in &graph[node].modifies {
            modifiers.entry(key).or_default().push(node);
        }
        for key in &graph[node].creates {
            creators.entry(key).or_default().push(node);
        }
        for key in &graph[node].drops {
            droppers.entry(key).or_default().push(node);
        }
    }

    let mut edges: BTreeSet<(NodeIndex, NodeIndex)> = BTreeSet::new();
    for chain in &chains {
        edges.extend(chain.windows(2).map(|w| (w[0], w[1])));
    }
    let none = Vec::new();
    for node in graph.node_indices() {
        let step = &graph[node];
        for key in &step.requires {
            let made = creators.get(key).unwrap_or(&none);
            let removed = droppers.get(key).unwrap_or(&none);
            let changed = modifiers.get(key).unwrap_or(&none);
            if step.teardown && !(removed.is_empty() && changed.is_empty()) {
                // Old-state work happens while the object still exists, in its old form.
                edges.extend(removed.iter().chain(changed).map(|&d| (node, d)));
            } else {
                // New-state work (and teardown of a renamed object) happens once it exists in its new form.
                edges.extend(made.iter().chain(changed).map(|&c| (c, node)));
            }
        }
        for key in &step.modifies {
            // A change in place needs the object to exist under its (new) name.
            edges.extend(creators.get(key).unwrap_or(&none).iter().map(|&c| (c, node)));
        }
        for key in &step.drops {
            // An object dropped and created again: the drop first.
            edges.extend(creators.get(key).unwrap_or(&none).iter().map(|&c| (node, c)));
        }
        for key in &step.uses_old {
            edges.extend(droppers.get(key).unwrap_or(&none).iter().map(|&d| (node, d)));
        }
        for key in &step.after_drops {
            edges.extend(droppers.get(key).unwrap_or(&none).iter().map(|&d| (d, node)));
        }
    }
    for (from, to) in edges {
        if from != to {
            graph.update_edge(from, to, ());
        }
    }

    // Kahn's algorithm with a priority queue: of the statements that are ready, the lowest rank first.
    let mut indegree: Vec<usize> =
        graph.node_indices().map(|n| graph.neighbors_directed(n, petgraph::Incoming).count()).collect();
    let mut ready: BinaryHeap<Reverse<(u32, NodeIndex)>> =
        graph.node_indices().filter(|n| indegree[n.index()] == 0).map(|n| Reverse((graph[n].rank.rank(), n))).collect();
    let mut sorted = Vec::with_capacity(graph.node_count());
    while let Some(Reverse((_, node))) = ready.pop() {
        sorted.push(node);
        for next in graph.neighbors_directed(node, petgraph::Outgoing) {
            indegree[next.index()] -= 1;
            if indegree[next.index()] == 0 {
                ready.push(Reverse((graph[next].rank.rank(), next)));
            }
        }
    }
    if sorted.len() != graph.node_count() {
        return Err(CycleError(cycle(&graph)));
    }
    let mut slots: Vec<Option<Step>> = Vec::new();
    let (nodes, _) = graph.into_nodes_edges();
    slots.extend(nodes.into_iter().map(|n| Some(n.weight)));
    Ok(sorted.into_iter().map(|n| slots[n.index()].take().expect("each node once")).collect())
}

/// The statements of one cycle of the graph (a strongly connected component of more than one statement),
/// in plan order: what the error names. Statements merely waiting behind the cycle are left out.
fn cycle(graph: &DiGraph<Step, ()>) -> Vec<String> {
    let mut components = petgraph::algo::tarjan_scc(graph);
    components.retain(|c| c.len() > 1);
    components.sort_by_key(|c| c.iter().min().copied());
    let mut cycle = components.into_iter().next().unwrap_or_default();
    cycle.sort();
    cycle.into_iter().map(|n| graph[n].summary.clone()).collect()
}
