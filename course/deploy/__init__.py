"""Deployment: setting the course up for people. JupyterLab's settings (:mod:`~course.deploy.lab_settings`, run by
``make`` and Binder) and a class roster from an LMS export (:mod:`~course.deploy.roster`, used by ``hub/``)."""
