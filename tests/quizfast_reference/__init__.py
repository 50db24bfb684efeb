"""The quiz's slow path as it was at 9b07b0a (every Paper and Card built, indexes over the
built objects), frozen: the reference the fast path is checked against. Copied, not
imported, so a change to the code under test cannot change the expected result. Only the
imports were changed (to each other); text rules that were not changed (masking, agenda
matching, naming) are imported from studydeck."""
