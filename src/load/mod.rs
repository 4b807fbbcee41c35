//! Loading graph data: graph-data folders (JSON Lines) and bulk CSV files.
