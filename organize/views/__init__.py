"""The organizer's pages; thin: forms and selectors in, services out."""
