"""What leaves the product: Excel workbooks, HTML and PDF reports."""
