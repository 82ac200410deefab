"""Policy packs (rules as data) and the eligibility engine that applies them to plain facts."""
