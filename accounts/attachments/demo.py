"""Demo files: the signed framework contract and the price annex on the first key account, the plan's
presentation and the agreed price list on its current plan. Seeded after the plans (planning/demo.py
calls it); idempotent: an object that already has files is left alone."""

from django.core.files.uploadedfile import SimpleUploadedFile

from .models import Attachment
from .samples import pdf


def _files(account, plan):
    name = account.name
    yield account, "Contrato marco firmado.pdf", "Firmado por ambas partes; vigencia de tres años.", pdf([
        f"Contrato marco de suministro - {name}", "Vigencia: tres años, renovable por acuerdo de las partes.",
        "Condiciones de pago: 60 días fecha factura."])
    yield account, "Acuerdo de nivel de servicio.txt", "Plazos de respuesta por gravedad.", (
        "Acuerdo de nivel de servicio\n\nCrítica: respuesta en 4 horas.\nAlta: 1 día laborable.\n"
        "Media: 3 días laborables.\n").encode()
    if plan is not None:
        yield plan, "Presentación del plan al cliente.pdf", "Versión presentada en la reunión de visión.", pdf([
            f"Plan de cuenta {plan.period_label} - {name}", "1. Conocimiento del cliente",
            "2. Visión compartida", "3. Compromisos de ambas partes"])
        yield plan, "Lista de precios acordada.csv", "", (
            "referencia;descripción;precio\nAC-100;Bobina laminada en frío;1.250,00\n"
            "AC-200;Chapa galvanizada;980,50\n").encode()


def seed(ctx, *, plan_of=None) -> None:
    """`plan_of(account)`: the plan to attach the plan's files to (planning knows which)."""
    from accounts.models import Account, Tier
    from accounts.services import attachment_add

    account = (Account.objects.filter(tier=Tier.KEY, archived_at__isnull=True, kam__isnull=False)
               .select_related("kam").order_by("pk").first())
    if account is None:
        return
    plan = plan_of(account) if plan_of is not None else None
    if Attachment.objects.filter(account=account).exists():
        ctx.log("  attachments: demo files already there")
        return
    for target, name, description, content in _files(account, plan):
        attachment_add(actor=account.kam, target=target, description=description,
                       upload=SimpleUploadedFile(name, content))
    ctx.log(f"  attachments: demo files on {account.name} and its plan")
