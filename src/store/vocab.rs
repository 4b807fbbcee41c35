//! Labels and relationship types checked against a graph: [`Label`] and
//! [`RelType`], the handles the typed API hands out so that a misspelt name
//! is an error with suggestions rather than an empty answer.

use std::fmt;

use crate::error::Error;
use crate::model::NodeId;

use super::{closest, Graph, LabelId, RelTypeId};

/// The kinds of names a graph checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vocab {
    Label,
    RelType,
    Key,
}

impl Graph {
    /// `Ok` when `name` is a `kind` of name the graph uses or its schema
    /// declares; otherwise up to three close names, best first. The query
    /// checker's warnings and the typed API's errors both come from here.
    pub(crate) fn check_name(&self, kind: Vocab, name: &str) -> Result<(), Vec<String>> {
        let schema = self.schema();
        let known = match kind {
            Vocab::Label => self.label_id(name).is_some() || schema.is_some_and(|s| s.has_label(name)),
            Vocab::RelType => {
                self.rel_type_id(name).is_some() || schema.is_some_and(|s| s.relation(name).is_some())
            }
            Vocab::Key => {
                self.key_id(name).is_some()
                    || schema.is_some_and(|s| {
                        s.node_property(name).is_some() || s.relation_property(name).is_some()
                    })
            }
        };
        if known {
            return Ok(());
        }
        let candidates: Vec<&str> = match kind {
            Vocab::Label => schema
                .into_iter()
                .flat_map(|s| s.labels.iter().map(|(l, _)| *l))
                .chain(self.labels().map(|(l, _)| l))
                .collect(),
            Vocab::RelType => schema
                .into_iter()
                .flat_map(|s| s.relations.iter().map(|r| r.name))
                .chain(self.rel_types().map(|(t, _)| t))
                .collect(),
            Vocab::Key => schema
                .into_iter()
                .flat_map(|s| s.node_properties.iter().chain(s.relation_properties).map(|p| p.key))
                .chain(self.property_keys())
                .collect(),
        };
        Err(closest(name, candidates, 3))
    }

    /// The label `name`, checked: one some node carries, or one the
    /// graph's schema declares (which then has no nodes yet). Names are
    /// case-sensitive, as in queries.
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// let models = graph.label("Model")?;
    /// assert!(models.nodes().len() > 100);
    /// let typo = graph.label("Compny").unwrap_err();
    /// assert_eq!(typo.to_string(), "unknown label 'Compny'; did you mean 'Company'?");
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownLabel`], with close names as suggestions.
    pub fn label(&self, name: &str) -> Result<Label<'_>, Error> {
        match self.label_id(name) {
            Some(id) => Ok(Label { graph: self, id: Some(id), name: self.label_name(id) }),
            None => match self.check_name(Vocab::Label, name) {
                Ok(()) => {
                    let declared = self.schema().and_then(|s| s.labels.iter().find(|(l, _)| *l == name));
                    Ok(Label { graph: self, id: None, name: declared.map_or("", |(l, _)| *l) })
                }
                Err(suggestions) => Err(Error::UnknownLabel { name: name.to_string(), suggestions }),
            },
        }
    }

    /// The relationship type `name`, checked: one some relationship has,
    /// or one the graph's schema declares. Names are case-sensitive, as in
    /// queries, so `built_on` is an error that suggests `BUILT_ON`.
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// assert!(graph.rel_type("BUILT_ON")?.count() > 0);
    /// let typo = graph.rel_type("BUILT_0N").unwrap_err();
    /// assert_eq!(typo.to_string(), "unknown relationship type 'BUILT_0N'; did you mean 'BUILT_ON'?");
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownRelType`], with close names as suggestions.
    pub fn rel_type(&self, name: &str) -> Result<RelType<'_>, Error> {
        match self.rel_type_id(name) {
            Some(id) => Ok(RelType { graph: self, id: Some(id), name: self.rel_type_name(id) }),
            None => match self.check_name(Vocab::RelType, name) {
                Ok(()) => {
                    let declared = self.schema().and_then(|s| s.relation(name));
                    Ok(RelType { graph: self, id: None, name: declared.map_or("", |r| r.name) })
                }
                Err(suggestions) => Err(Error::UnknownRelType { name: name.to_string(), suggestions }),
            },
        }
    }

    /// The ids of the given relationship types, each checked; `None` (every
    /// type) for an empty list. A declared type no relationship has yet
    /// adds no id, so it matches nothing.
    pub(crate) fn rel_type_filter(&self, names: &[&str]) -> Result<Option<Vec<RelTypeId>>, Error> {
        if names.is_empty() {
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            ids.extend(self.rel_type(name)?.id);
        }
        Ok(Some(ids))
    }
}

/// A label of a [`Graph`], checked by [`Graph::label`].
#[derive(Clone, Copy)]
pub struct Label<'g> {
    graph: &'g Graph,
    /// `None` for a label the schema declares but no node carries.
    id: Option<LabelId>,
    name: &'g str,
}

impl<'g> Label<'g> {
    /// The label's name.
    pub fn name(&self) -> &'g str {
        self.name
    }

    /// The nodes carrying the label, in insertion order. O(1).
    pub fn nodes(&self) -> &'g [NodeId] {
        self.id.map_or(&[], |id| self.graph.nodes_with_label(id))
    }

    pub(crate) fn id(&self) -> Option<LabelId> {
        self.id
    }
}

impl fmt::Debug for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Label").field(&self.name).finish()
    }
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A relationship type of a [`Graph`], checked by [`Graph::rel_type`].
#[derive(Clone, Copy)]
pub struct RelType<'g> {
    graph: &'g Graph,
    /// `None` for a type the schema declares but no relationship has.
    id: Option<RelTypeId>,
    name: &'g str,
}

impl<'g> RelType<'g> {
    /// The type's name.
    pub fn name(&self) -> &'g str {
        self.name
    }

    /// How many relationships have the type. O(1).
    pub fn count(&self) -> usize {
        self.id.map_or(0, |id| self.graph.edges_per_type[id.0 as usize])
    }

    pub(crate) fn id(&self) -> Option<RelTypeId> {
        self.id
    }
}

impl fmt::Debug for RelType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RelType").field(&self.name).finish()
    }
}

impl fmt::Display for RelType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Graph};

    #[test]
    fn a_misspelt_or_miscased_type_is_an_error_with_suggestions() {
        let g = Graph::builtin();
        for typo in ["BUILT_0N", "built_on"] {
            match g.rel_type(typo) {
                Err(Error::UnknownRelType { name, suggestions }) => {
                    assert_eq!(
                        (name.as_str(), suggestions.first().map(String::as_str)),
                        (typo, Some("BUILT_ON"))
                    )
                }
                other => panic!("{typo}: {other:?}"),
            }
        }
        assert!(
            matches!(g.label("company"), Err(Error::UnknownLabel { ref suggestions, .. }) if suggestions[0] == "Company")
        );
    }

    #[test]
    fn a_declared_name_without_data_is_known_and_empty() {
        let mut g = Graph::with_schema(&crate::model::schema::AI_INDUSTRY);
        assert_eq!(g.rel_type("BUILT_ON").unwrap().count(), 0);
        assert!(g.label("Model").unwrap().nodes().is_empty());
        assert_eq!(g.label("Model").unwrap().name(), "Model");
        let a = g.add_node(["Model"], []);
        let b = g.add_node(["Model"], []);
        g.add_edge(a, b, "BUILT_ON", []);
        assert_eq!(g.rel_type("BUILT_ON").unwrap().count(), 1);
        assert_eq!(g.label("Model").unwrap().nodes(), [a, b]);
        // Without a schema only what the data uses is known.
        assert!(Graph::new().label("Model").is_err());
    }
}
