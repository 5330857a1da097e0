"""nudges: a sealed contact for linked chats and numbers, and when each account was nudged

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 00:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('lang', sa.String(length=2), nullable=True))
    op.create_table('account_nudge',
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('account_id')
    )


def downgrade() -> None:
    op.drop_table('account_nudge')
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.drop_column('lang')
        batch_op.drop_column('contact')
