"""The board: a card for every chair, always in view, to see every room at a glance and switch between them."""
