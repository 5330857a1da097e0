"""Waypoint's HTTP API for other systems (a shelter's bed system, a 211 feed): ``api.py``."""
