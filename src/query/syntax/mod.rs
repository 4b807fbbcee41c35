//! Query text → spanned [`ast`]: the nom parser, and the printer that turns
//! an AST back into query text.

pub mod ast;
