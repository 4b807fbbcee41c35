//! The schema of the AI-industry graph: node labels, relation types with the
//! endpoint labels each allows, and the typed properties of both.
//!
//! Graph data is checked against it when loaded; graphs built from query text
//! or bulk CSV files are schemaless.

/// The type a property must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    /// A string.
    String,
    /// A list of strings.
    StringList,
    /// An integer.
    Integer,
    /// A number (integer or float; stored as float).
    Float,
    /// `true` or `false`.
    Boolean,
    /// A year-month string, `YYYY` or `YYYY-MM`.
    YearMonth,
    /// Line numbers of the source report, `[start, end]` with
    /// `1 <= start <= end`: the span that states the fact.
    LineSpan,
    /// One string of a fixed vocabulary.
    OneOf(&'static [&'static str]),
}

impl PropertyType {
    /// The name used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            PropertyType::String => "string",
            PropertyType::StringList => "list of strings",
            PropertyType::Integer => "integer",
            PropertyType::Float => "number",
            PropertyType::Boolean => "boolean",
            PropertyType::YearMonth => "'YYYY' or 'YYYY-MM' string",
            PropertyType::LineSpan => "[start, end] line numbers with 1 <= start <= end",
            PropertyType::OneOf(_) => "one of a fixed set of strings",
        }
    }
}

/// A property key with its type and whether it must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyRule {
    /// The key.
    pub key: &'static str,
    /// Its type.
    pub ty: PropertyType,
    /// Whether every entity must carry it.
    pub required: bool,
    /// What it means, for `aikg schema` and the README.
    pub doc: &'static str,
}

/// A relation type: its name, the labels allowed at each end, and its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationRule {
    /// The relation type, e.g. `BUILT_ON`.
    pub name: &'static str,
    /// Labels the source may carry (any one suffices).
    pub from: &'static [&'static str],
    /// Labels the target may carry (any one suffices).
    pub to: &'static [&'static str],
    /// Properties beyond `source`, `lines`, `status` and `note` that this type may carry.
    pub properties: &'static [&'static str],
    /// Stored once for both directions.
    pub symmetric: bool,
    /// What it means.
    pub doc: &'static str,
}

/// The schema: see the README's table for the same facts in prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// Node labels with their meaning.
    pub labels: &'static [(&'static str, &'static str)],
    /// Node properties.
    pub node_properties: &'static [PropertyRule],
    /// Relation types.
    pub relations: &'static [RelationRule],
    /// Relationship properties (which a type may carry is in [`RelationRule::properties`]).
    pub relation_properties: &'static [PropertyRule],
}

const ORGS: &[&str] = &["Company", "Lab", "University", "Investor"];

/// The values of a relation's `status`. A relation without one is a fact the
/// report states as done; these mark the ones it does not:
/// - `planned`: the report says it will happen (将, 计划, 拟): an intended
///   integration, a launch to come;
/// - `announced`: the maker has announced or demonstrated it, but the report
///   does not describe it as available or in use;
/// - `reported`: the report passes on a claim of others (据报道, 据悉, 传闻).
pub const STATUSES: &[&str] = &["planned", "announced", "reported"];

/// The schema of the built-in AI-industry graph.
pub const AI_INDUSTRY: Schema = Schema {
    labels: &[
        ("Company", "a company, including big tech firms and start-ups"),
        ("Model", "a trained model or model family"),
        ("Lab", "a research lab, institute or group"),
        ("University", "a university"),
        ("Person", "a founder, researcher or executive"),
        ("Investor", "a venture fund or other investor"),
        ("Product", "an application or service built on a model"),
        ("Framework", "a deep-learning framework"),
        ("Chip", "an AI accelerator chip"),
    ],
    node_properties: &[
        PropertyRule { key: "id", ty: PropertyType::String, required: true, doc: "stable ASCII id, e.g. zhipu-ai" },
        PropertyRule { key: "name", ty: PropertyType::String, required: true, doc: "English or Latin name" },
        PropertyRule { key: "name_zh", ty: PropertyType::String, required: false, doc: "Chinese name" },
        PropertyRule { key: "aliases", ty: PropertyType::StringList, required: false, doc: "every other name the report uses" },
        PropertyRule { key: "founded", ty: PropertyType::Integer, required: false, doc: "year founded" },
        PropertyRule { key: "hq", ty: PropertyType::String, required: false, doc: "headquarters city" },
        PropertyRule { key: "stage", ty: PropertyType::String, required: false, doc: "funding stage" },
        PropertyRule { key: "params_billion", ty: PropertyType::Float, required: false, doc: "parameters, in billions" },
        PropertyRule { key: "released", ty: PropertyType::YearMonth, required: false, doc: "release date, YYYY or YYYY-MM" },
        PropertyRule { key: "open_source", ty: PropertyType::Boolean, required: false, doc: "weights or code published" },
        PropertyRule { key: "modality", ty: PropertyType::String, required: false, doc: "text, image, code, multimodal, ..." },
        PropertyRule { key: "source", ty: PropertyType::String, required: true, doc: "report section the node comes from" },
        PropertyRule { key: "lines", ty: PropertyType::LineSpan, required: false, doc: "[start, end] lines of the report that name it" },
        PropertyRule { key: "note", ty: PropertyType::String, required: false, doc: "curator's note, e.g. a conflict in the report" },
    ],
    relations: &[
        RelationRule {
            name: "BUILT_ON",
            from: &["Model", "Product"],
            to: &["Model", "Product"],
            properties: &["basis"],
            symmetric: false,
            doc: "derived, fine-tuned, continued-trained or run on; basis 'architecture' for an architecture-only link",
        },
        RelationRule {
            name: "DEVELOPED_BY",
            from: &["Model", "Product", "Framework", "Chip"],
            to: &["Company", "Lab", "University", "Person"],
            properties: &["role"],
            symmetric: false,
            doc: "who made it",
        },
        RelationRule {
            name: "INCUBATED_BY",
            from: &["Company"],
            to: &["Lab", "University", "Company"],
            properties: &[],
            symmetric: false,
            doc: "a spin-out and the lab, university or company it came from",
        },
        RelationRule {
            name: "INVESTED_IN",
            from: &["Investor", "Company", "Person"],
            to: &["Company"],
            properties: &["round", "year", "date", "lead", "amount"],
            symmetric: false,
            doc: "one edge per investor per round",
        },
        RelationRule {
            name: "FOUNDED_BY",
            from: &["Company"],
            to: &["Person"],
            properties: &["role"],
            symmetric: false,
            doc: "a founder, with role",
        },
        RelationRule {
            name: "AFFILIATED_WITH",
            from: &["Person"],
            to: &["Lab", "University", "Company", "Person"],
            properties: &["role"],
            symmetric: false,
            doc: "where a person works or studied, or whom they advise",
        },
        RelationRule {
            name: "PART_OF",
            from: &["Lab", "Company", "Model", "Product"],
            to: &["University", "Company", "Lab", "Model"],
            properties: &[],
            symmetric: false,
            doc: "a lab in a university, a subsidiary, a model in a family",
        },
        RelationRule {
            name: "PARTNERED_WITH",
            from: ORGS,
            to: ORGS,
            properties: &[],
            symmetric: true,
            doc: "a partnership between organisations, stored once",
        },
        RelationRule {
            name: "TRAINED_ON",
            from: &["Model"],
            to: &["Chip", "Framework"],
            properties: &[],
            symmetric: false,
            doc: "hardware or framework used to train",
        },
    ],
    relation_properties: &[
        PropertyRule { key: "source", ty: PropertyType::String, required: true, doc: "report section the fact comes from" },
        PropertyRule { key: "lines", ty: PropertyType::LineSpan, required: false, doc: "[start, end] lines of the report that state it" },
        PropertyRule { key: "status", ty: PropertyType::OneOf(STATUSES), required: false, doc: "planned, announced or reported; absent for a fact the report states as done" },
        PropertyRule { key: "date", ty: PropertyType::YearMonth, required: false, doc: "month of the round, YYYY-MM, where the report gives it" },
        PropertyRule { key: "note", ty: PropertyType::String, required: false, doc: "curator's note" },
        PropertyRule { key: "round", ty: PropertyType::String, required: false, doc: "funding round" },
        PropertyRule { key: "year", ty: PropertyType::Integer, required: false, doc: "year of the round" },
        PropertyRule { key: "lead", ty: PropertyType::Boolean, required: false, doc: "led the round" },
        PropertyRule { key: "amount", ty: PropertyType::String, required: false, doc: "amount as stated" },
        PropertyRule { key: "role", ty: PropertyType::String, required: false, doc: "role of the person" },
        PropertyRule { key: "basis", ty: PropertyType::String, required: false, doc: "'architecture' for architecture-only lineage" },
    ],
};

impl Schema {
    /// The rule for a relation type.
    pub fn relation(&self, name: &str) -> Option<&RelationRule> {
        self.relations.iter().find(|r| r.name == name)
    }

    /// Whether `label` is a node label of this schema.
    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|(l, _)| *l == label)
    }

    /// The node property rule for `key`.
    pub fn node_property(&self, key: &str) -> Option<&PropertyRule> {
        self.node_properties.iter().find(|p| p.key == key)
    }

    /// The relationship property rule for `key`.
    pub fn relation_property(&self, key: &str) -> Option<&PropertyRule> {
        self.relation_properties.iter().find(|p| p.key == key)
    }
}

impl RelationRule {
    /// Whether a relation from a node with `from_labels` to one with
    /// `to_labels` is allowed (any label at each end suffices; symmetric
    /// relations are checked both ways).
    pub fn allows<'a>(
        &self,
        from_labels: impl IntoIterator<Item = &'a str> + Clone,
        to_labels: impl IntoIterator<Item = &'a str> + Clone,
    ) -> bool {
        let fits = |labels: &[&str], allowed: &[&str]| labels.iter().any(|l| allowed.contains(l));
        let from: Vec<&str> = from_labels.into_iter().collect();
        let to: Vec<&str> = to_labels.into_iter().collect();
        (fits(&from, self.from) && fits(&to, self.to))
            || (self.symmetric && fits(&to, self.from) && fits(&from, self.to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_rules() {
        let built_on = AI_INDUSTRY.relation("BUILT_ON").unwrap();
        assert!(built_on.allows(["Product"], ["Model"]));
        assert!(!built_on.allows(["Company"], ["Model"]));
        let invested = AI_INDUSTRY.relation("INVESTED_IN").unwrap();
        assert!(invested.allows(["Company", "Investor"], ["Company"]));
        assert!(!invested.allows(["Investor"], ["Model"]));
    }
}
