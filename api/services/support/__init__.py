"""A worker and a peer working together: partnerships, goals,
milestones and check-ins, who is due, the timeline and the calendar."""
