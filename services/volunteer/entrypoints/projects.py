"""Entrypoints of public-welfare projects and donations (rules in ``services/volunteer/projects.py``).

A donation is recorded here in a unit of work of its own, then posted to the welfare ledger (an RPC,
outside any transaction), then marked recorded in another.
"""
from services.chassis.actor import load_actor
from services.chassis.rpc import rpc
from services.chassis.schemas import PageRequest, load, page_of
from services.chassis.union_tree import Tree

from .. import projects
from ..models.projects import DonationStatus, Project
from ..schemas.projects import DonationSchema, ProjectQuerySchema, ProjectSchema


class ProjectEntrypoints:
    @rpc
    def create_project(self, actor, data):
        actor = load_actor(actor)
        data = load(ProjectSchema(), data, "project")
        tree = Tree(self.registry)
        unit = tree.unit_for("organiser_unit_id", data["organiser_unit_id"])
        made = projects.create(self.db, actor, data, unit, tree.scope(actor.unit_id))
        return projects.project_view(made, projects.donated(self.db.session, [made.id]).get(made.id))

    @rpc
    def get_project(self, actor, project_id):
        actor = load_actor(actor)
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found = projects.project(session, project_id, scope)
            return projects.project_view(found, projects.donated(session, [found.id]).get(found.id))

    @rpc
    def list_projects(self, actor, query=None):
        actor = load_actor(actor)
        params = load(ProjectQuerySchema(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found, total = projects.projects(session, scope, params)
            amounts = projects.donated(session, [p.id for p in found])
            items = [projects.project_view(p, amounts.get(p.id)) for p in found]
        return page_of(items, total, params["page"], params["page_size"])

    @rpc
    def donate(self, actor, project_id, data):
        """A donation to the project, into the mutual-aid fund through the welfare ledger, once."""
        actor = load_actor(actor)
        data = load(DonationSchema(), data, "donation")
        tree = Tree(self.registry)
        scope = tree.scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            projects.project(session, project_id, scope)  # 404 before 403: a project out of scope is none
        projects.must_be_city(tree.unit(actor.unit_id))
        with self.db.database.unit_of_work() as uow:
            donation = projects.record(uow, actor, project_id, data, scope)
            found = uow.session.get(Project, donation.project_id)
            request = projects.posting_request(donation, found)
            pending, donation_id = donation.status is DonationStatus.PENDING, donation.id
        if pending:
            posting = self.welfare.post(actor.to_dict(), request)
            with self.db.database.unit_of_work() as uow:
                projects.recorded(uow, actor, donation_id, posting["id"])
        with self.db.database.reading_session() as session:
            return projects.donation_view(session.get(projects.Donation, donation_id))

    @rpc
    def list_donations(self, actor, project_id, query=None):
        actor = load_actor(actor)
        params = load(PageRequest(), query or {}, "query")
        scope = Tree(self.registry).scope(actor.unit_id)
        with self.db.database.reading_session() as session:
            found = projects.project(session, project_id, scope)
            items, total = projects.donations(session, found.id, params)
            return page_of([projects.donation_view(d) for d in items], total, params["page"], params["page_size"])
