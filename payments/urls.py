from django.urls import path

from . import payer_views, views

urlpatterns = [
    path("persons/<int:pk>/wallet/", views.wallet, name="wallet"),
    path("persons/<int:pk>/wallet/reverse/", views.wallet_reverse, name="wallet_reverse"),
    path("persons/<int:pk>/wallet/statement/", views.wallet_statement, name="wallet_statement"),
    path("receipts/<int:pk>/", views.receipt_print, name="receipt_print"),
    path("payers/", payer_views.payer_list, name="payer_list"),
    path("payers/<int:pk>/", payer_views.payer_detail, name="payer_detail"),
    path("payers/<int:pk>/statement/", payer_views.payer_statement, name="payer_statement"),
]
