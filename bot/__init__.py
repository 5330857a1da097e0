"""Waypoint's conversation layer: the crisis safety net, reply texts and channel helpers."""
