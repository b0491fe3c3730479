"""Pure computation of the dashboard's indicators: frames in, frames out, no UI."""
