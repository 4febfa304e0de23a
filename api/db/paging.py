"""Paging a query: one page of rows and the total."""

from sqlalchemy import Select, func, select

from api.extensions import db


def page_of(stmt: Select, order_by, page: int, page_size: int):
    """One page of rows and the total, in one statement whatever the size.

    The total rides along as a window count; only a page past the end needs a second
    statement to learn it.
    """
    counted = stmt.add_columns(func.count().over().label("total_rows"))
    rows = db.session.execute(
        counted.order_by(*order_by).limit(page_size).offset((page - 1) * page_size)
    ).all()
    if rows:
        return [tuple(row)[:-1] for row in rows], rows[0][-1]
    if page == 1:
        return [], 0
    return [], db.session.scalar(select(func.count()).select_from(stmt.subquery()))
