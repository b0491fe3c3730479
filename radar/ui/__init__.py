"""The Streamlit side: shared layout, cached reads, widgets. Only here is Streamlit imported."""
