//! `CALL`: a procedure run once per row (see `query::procedures`).

use super::eval::eval;
use super::ops::{push, Sink, Stage};
use super::{put, Ctx, Flow, Row};
use crate::error::{ErrorClass, QueryError};
use crate::query::plan::logical::Call;

/// Calls the procedure with the row's arguments and hands on the row once
/// per row the procedure returns, with the yielded outputs set (or once,
/// unchanged, for a procedure without outputs).
pub(super) fn call_push(
    c: &Call,
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    let Some(procedure) = cx.graph.procedures().get(&c.procedure) else {
        return Err(QueryError::runtime(
            ErrorClass::ProcedureError,
            "ProcedureNotFound",
            format!("there is no procedure named '{}' on this graph", c.procedure),
            None,
        ));
    };
    let mut args = Vec::with_capacity(c.args.len());
    for (e, ty) in &c.args {
        let v = eval(e, row, cx)?.into_owned();
        let shown = v.to_string();
        let Some(v) = ty.coerce(v) else {
            return Err(QueryError::runtime(
                ErrorClass::TypeError,
                "InvalidArgumentType",
                format!("procedure {} expects {} here, got {shown}", c.procedure, ty.name()),
                Some(e.span),
            ));
        };
        args.push(v);
    }
    let rows = (procedure.body)(cx.graph, &args).map_err(|message| {
        QueryError::runtime(
            ErrorClass::ProcedureError,
            "ProcedureCallFailed",
            format!("procedure {} failed: {message}", c.procedure),
            None,
        )
    })?;
    cx.budget.tick()?;
    if c.void {
        return push(rest, row, cx, sink);
    }
    let width = procedure.signature.outputs.len();
    for mut out in rows {
        if out.len() != width {
            return Err(QueryError::runtime(
                ErrorClass::ProcedureError,
                "ProcedureCallFailed",
                format!(
                    "procedure {} returned a row of {} value(s) for its {width} output(s)",
                    c.procedure,
                    out.len()
                ),
                None,
            ));
        }
        for (index, slot) in &c.yields {
            put(&mut row[*slot], std::mem::take(&mut out[*index]));
        }
        if push(rest, row, cx, sink)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}
