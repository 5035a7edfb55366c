"""Extension instances, created unbound so any app from create_app can use them."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
# Schema changes ship as Alembic migrations (pwa/migrations/): `flask init-db` applies them.
migrate = Migrate()
