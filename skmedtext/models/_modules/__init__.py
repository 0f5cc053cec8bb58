"""Private torch modules behind skmedtext's classifiers."""
