"""The automatic tenant filter: selects, relationship loads, inserts, bulk writes, fail-closed."""
from __future__ import annotations

import pytest
from sqlalchemy import ForeignKey, String, delete, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, mapped_column, relationship, selectinload

from core.attachments import Attachment
from core.db import db
from core.tenants import (Tenant, TenantScoped, TenantScopeError, across_subtree, across_tenants, resolve_tenant_path,
                          subtree_ids, tenant_by_slug, tenant_scope)


def _attachment(name: str, **kw) -> Attachment:
    return Attachment(token=name.ljust(32, "0")[:32], filename=f"{name}.pdf", extension="pdf",
                      content_type="application/pdf", size=1, sha256="0" * 64, **kw)


@pytest.fixture
def two_towns(demo):
    with demo.app_context():
        a, b = tenant_by_slug("baishui"), tenant_by_slug("liuhe")
        with tenant_scope(a):
            db.session.add(_attachment("a1"))
            db.session.commit()
        with tenant_scope(b):
            db.session.add_all([_attachment("b1"), _attachment("b2")])
            db.session.commit()
        yield a, b


def test_select_sees_only_the_current_tenant(two_towns):
    a, b = two_towns
    with tenant_scope(a):
        assert [x.filename for x in db.session.scalars(select(Attachment))] == ["a1.pdf"]
    with tenant_scope(b):
        assert sorted(x.filename for x in db.session.scalars(select(Attachment))) == ["b1.pdf", "b2.pdf"]


def test_tenant_id_is_a_bound_parameter_not_frozen_into_the_cached_statement(two_towns):
    a, b = two_towns
    stmt = select(Attachment.filename)
    for tenant, expected in [(a, ["a1.pdf"]), (b, ["b1.pdf", "b2.pdf"]), (a, ["a1.pdf"])]:
        with tenant_scope(tenant):
            assert sorted(db.session.scalars(stmt)) == expected


def test_no_scope_fails_closed(two_towns):
    db.session.expunge_all()
    assert db.session.scalars(select(Attachment)).all() == []
    assert db.session.scalar(select(Attachment).where(Attachment.token.startswith("b1"))) is None


def test_another_tenants_object_is_not_found_by_primary_key_even_in_the_identity_map(two_towns):
    from werkzeug.exceptions import NotFound

    from core.tenants import get_or_404
    a, b = two_towns
    with tenant_scope(b):
        b1 = db.session.scalar(select(Attachment).where(Attachment.filename == "b1.pdf"))
        assert get_or_404(Attachment, b1.id) is b1
    with tenant_scope(a):  # b1 is still in the identity map
        with pytest.raises(NotFound):
            get_or_404(Attachment, b1.id)


class ScratchBase(DeclarativeBase):
    """Models that exist only in this test module, on their own metadata (not in the migrations)."""


Tenant.__table__.to_metadata(ScratchBase.metadata)


class Folder(TenantScoped, ScratchBase):
    __tablename__ = "scratch_folders"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    notes: Mapped[list["Note"]] = relationship(back_populates="folder", order_by="Note.id")


class Note(TenantScoped, ScratchBase):
    __tablename__ = "scratch_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    folder_id: Mapped[int] = mapped_column(ForeignKey("scratch_folders.id"))
    folder: Mapped[Folder] = relationship(back_populates="notes")


@pytest.fixture
def folders(two_towns):
    """A folder of town A holding a note of A and (through the explicit opt-out) a note of B."""
    a, b = two_towns
    tables = [Folder.__table__, Note.__table__]
    ScratchBase.metadata.create_all(db.engine, tables=tables)
    try:
        with across_tenants([a.id, b.id], reason="test fixture: a cross-tenant reference"):
            folder = Folder(name="A's folder", tenant_id=a.id)
            db.session.add_all([folder, Note(title="A note", tenant_id=a.id, folder=folder),
                                Note(title="B note", tenant_id=b.id, folder=folder)])
            db.session.commit()
        ids = a.id, b.id
        db.session.expunge_all()  # nothing cached: every load below goes through SQL
        yield ids
    finally:
        db.session.rollback()
        ScratchBase.metadata.drop_all(db.engine, tables=tables)


@pytest.mark.orm_filter
def test_lazy_relationship_loads_are_filtered(folders):
    a, b = folders
    with tenant_scope(a):
        folder = db.session.scalar(select(Folder))
        assert [n.title for n in folder.notes] == ["A note"]


@pytest.mark.orm_filter
@pytest.mark.parametrize("loader", [selectinload, joinedload])
def test_eager_relationship_loads_are_filtered(folders, loader):
    a, b = folders
    with tenant_scope(a):
        folder = db.session.scalars(select(Folder).options(loader(Folder.notes))).unique().one()
        assert [n.title for n in folder.notes] == ["A note"]


@pytest.mark.orm_filter
def test_many_to_one_load_of_another_tenants_row_finds_nothing(folders):
    a, b = folders
    with tenant_scope(b):
        note = db.session.scalar(select(Note))
        assert note.title == "B note"
        assert note.folder is None  # the folder belongs to A


def test_joins_are_filtered(two_towns):
    a, _ = two_towns
    with tenant_scope(a):
        rows = db.session.execute(select(Tenant.slug, Attachment.filename)
                                  .join(Attachment, Attachment.tenant_id == Tenant.id)).all()
        assert rows == [("baishui", "a1.pdf")]


def test_insert_is_stamped_with_the_current_tenant(two_towns):
    a, _ = two_towns
    with tenant_scope(a):
        item = _attachment("a2")
        db.session.add(item)
        db.session.flush()
        assert item.tenant_id == a.id
    db.session.rollback()


def test_insert_without_a_tenant_is_refused(two_towns):
    db.session.add(_attachment("orphan"))
    with pytest.raises(TenantScopeError):
        db.session.flush()
    db.session.rollback()


def test_writing_another_tenants_row_is_refused(two_towns):
    a, b = two_towns
    with tenant_scope(a):
        db.session.add(_attachment("smuggled", tenant_id=b.id))
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()


def test_changing_a_row_loaded_elsewhere_is_refused_outside_its_scope(two_towns):
    a, b = two_towns
    with tenant_scope(b):
        b1 = db.session.scalar(select(Attachment).where(Attachment.filename == "b1.pdf"))
    with tenant_scope(a):
        b1.filename = "hijacked.pdf"
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()


def test_bulk_update_and_delete_are_filtered(two_towns):
    a, b = two_towns
    with tenant_scope(a):
        db.session.execute(update(Attachment).values(is_public=True))
        db.session.execute(delete(Attachment).where(Attachment.filename == "b1.pdf"))
        db.session.commit()
    with across_tenants(None, reason="test check"):
        rows = {x.filename: x.is_public for x in db.session.scalars(select(Attachment))}
    assert rows == {"a1.pdf": True, "b1.pdf": False, "b2.pdf": False}


def test_across_tenants_is_explicit_and_needs_a_reason(two_towns):
    a, b = two_towns
    with pytest.raises(ValueError):
        with across_tenants([a.id, b.id], reason=""):
            pass
    with across_tenants([a.id, b.id], reason="test"):
        assert db.session.query(Attachment).count() == 3
    with across_tenants(None, reason="test: every tenant"):
        assert db.session.query(Attachment).count() == 3


def test_across_subtree_sees_descendants_but_not_siblings(demo, ctx):
    baishui, dongpo, liuhe = (tenant_by_slug(s) for s in ("baishui", "dongpo", "liuhe"))
    for tenant in (baishui, dongpo, liuhe):
        with tenant_scope(tenant):
            db.session.add(_attachment(tenant.slug))
            db.session.commit()
    with across_subtree(baishui, reason="town supervision"):
        assert sorted(x.filename for x in db.session.scalars(select(Attachment))) == ["baishui.pdf", "dongpo.pdf"]


def test_subtree_and_paths(demo, ctx):
    qinglan, baishui, dongpo = (tenant_by_slug(s) for s in ("qinglan", "baishui", "dongpo"))
    assert set(subtree_ids(baishui)) == {baishui.id, dongpo.id, tenant_by_slug("xihe").id}
    assert len(subtree_ids(qinglan)) == 10
    assert dongpo.url_path == "qinglan/baishui/dongpo"
    assert [t.slug for t in dongpo.ancestors()] == ["qinglan", "baishui"]
    assert resolve_tenant_path("qinglan/baishui/dongpo") == dongpo
    # a village under the wrong town is not found
    assert resolve_tenant_path("qinglan/liuhe/dongpo") is None


def test_leaving_a_scope_flushes_what_was_written_in_it(two_towns):
    a, _ = two_towns
    with tenant_scope(a):
        item = _attachment("late")
        db.session.add(item)
    assert item.id is not None and item.tenant_id == a.id  # flushed while the scope still allowed it
    db.session.commit()
