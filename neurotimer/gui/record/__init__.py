"""The session record at the chair: notes, scores, needle count, patient dialog."""
