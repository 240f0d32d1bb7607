"""Deployment: setting the course up for people. JupyterLab's settings (:mod:`~course.deploy.lab_settings`, run by
``make`` and Binder); for ``hub/``: a class roster from an LMS export (:mod:`~course.deploy.roster`), the lessons'
copy into a person's home, run as that person (:mod:`~course.deploy.lessons`), and each server's control groups,
private ``/tmp`` and limits (:mod:`~course.deploy.limits`)."""
