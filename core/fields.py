"""Model fields for personal data at rest (core/crypto.py says how values are encrypted).

``EncryptedTextField`` holds SM4 ciphertext in the database and plain text in Python: it
encrypts in ``get_db_prep_value`` (so ``save``, ``bulk_create`` and ``update`` all encrypt) and
decrypts in ``from_db_value``. ``BlindIndexField(source=…)`` is its companion column, computed
from the plain value in ``pre_save``, which Django runs for ``save`` and for every object of a
``bulk_create``. A ``bulk_update`` or queryset ``update`` of an encrypted field must name its
index as well (``crypto.blind_index``), or the index goes stale.

Lookups on an encrypted field are translated, not compared with ciphertext: ``exact``,
``iexact`` and ``in`` become a match on the blind index, ``isnull`` looks at the column itself,
and anything else (``startswith``, ``contains``, ranges…) raises a FieldError, so nobody runs a
LIKE over ciphertext and silently finds nothing.
"""
from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.db.models.lookups import Exact, In, IsNull, Lookup

from . import crypto

BLIND_INDEX_LENGTH = 64  # hex of an SM3 digest


class EncryptedTextField(models.CharField):
    """Text stored encrypted. `max_length` limits the plain value (forms and validation);
    the column is unbounded text because ciphertext is longer. `blind_index` names the
    companion BlindIndexField that exact lookups use; without one the field cannot be
    searched at all."""

    description = "SM4 加密文本"

    def __init__(self, *args, blind_index: str | None = None, **kwargs):
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        # Blank stays blank: "no phone number" is not worth a ciphertext, and the form and
        # the import tell blank from NULL the way they did before.
        return crypto.encrypt(value) if value else value

    def clean(self, value, model_instance):
        value = super().clean(value, model_instance)
        if self.blind_index and model_instance is not None:
            # So that full_clean's uniqueness check (imports) sees the number being saved.
            setattr(model_instance, self.blind_index, crypto.blind_index(value))
        return value

    def get_lookup(self, lookup_name):
        if lookup_name in ("exact", "iexact"):
            return IndexedExact
        if lookup_name == "in":
            return IndexedIn
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.model.__name__}.{self.name}（{self.verbose_name}）加密存储，只能按完整号码"
            f"精确查询（exact、in）或判断是否为空（isnull），不支持“{lookup_name}”。")

    def get_transform(self, lookup_name):
        return None


class BlindIndexField(models.CharField):
    """HMAC-SM3 of another field's plain value (see EncryptedTextField). Not editable; set on
    every save and bulk_create from `source`."""

    description = "HMAC-SM3 盲索引"

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("error_messages", {"unique": "该%(field_label)s已登记，请勿重复建档。"})
        kwargs.setdefault("max_length", BLIND_INDEX_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    @property
    def verbose_name(self):
        # A uniqueness error names what the person typed ("证件号码"), not the index column.
        model = getattr(self, "model", None)
        if model is not None:
            try:
                return model._meta.get_field(self.source).verbose_name
            except FieldDoesNotExist:
                pass
        return self._verbose_name

    @verbose_name.setter
    def verbose_name(self, value):
        self._verbose_name = value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("verbose_name", None)  # derived from the source field
        kwargs.pop("error_messages", None)
        kwargs["source"] = self.source
        for key, default in (("max_length", BLIND_INDEX_LENGTH), ("editable", False),
                             ("null", True), ("blank", True)):
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs

    def db_type(self, connection):
        # Spelled out so that Django's PostgreSQL schema editor, which adds a second LIKE
        # (varchar_pattern_ops) index to any "varchar…" column, builds only the equality
        # index: nobody LIKEs a digest. Not char(n): bulk_create casts to the type without its
        # length, and a bare char is char(1).
        return f"character varying({self.max_length})"

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def _index_column(lhs, lookup_name: str):
    """The blind-index column of the same table (and join alias) as the encrypted `lhs`."""
    field = getattr(lhs, "target", None)
    if not isinstance(field, EncryptedTextField) or not hasattr(lhs, "alias"):
        raise FieldError(f"加密字段只能直接按列查询，不支持“{lookup_name}”用于表达式。")
    if not field.blind_index:
        raise FieldError(f"{field.model.__name__}.{field.name}（{field.verbose_name}）加密存储且"
                         "没有盲索引，不能按值查询。")
    return field.model._meta.get_field(field.blind_index).get_col(lhs.alias)


class IndexedExact(Lookup):
    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("加密字段只能与具体的号码比较，不能与另一列或表达式比较。")
        digest = crypto.blind_index(self.rhs)
        if digest is None:  # blank is stored as blank, not encrypted
            return compiler.compile(Exact(self.lhs, ""))
        return compiler.compile(Exact(_index_column(self.lhs, "exact"), digest))


class IndexedIn(Lookup):
    lookup_name = "in"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("加密字段的 in 查询只能给出号码列表，不能用子查询。")
        digests = {d for d in (crypto.blind_index(v) for v in self.rhs) if d is not None}
        return compiler.compile(In(_index_column(self.lhs, "in"), sorted(digests)))
