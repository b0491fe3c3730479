"""What is shown on pages and in hand-outs alike: charts and profile sections."""
