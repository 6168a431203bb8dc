"""The learning loop: a training set from consented feedback, fine-tuning, an evaluation gate."""
