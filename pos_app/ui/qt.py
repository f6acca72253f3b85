"""The one module that imports the Qt binding; everything in the UI imports Qt from here."""

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QRectF,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QTranslator,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QKeyEvent, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QStatusBar,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAbstractItemView", "QAction", "QApplication", "QCheckBox", "QColor", "QComboBox", "QCoreApplication",
    "QDialog", "QDialogButtonBox", "QEvent", "QFileDialog", "QFont", "QFontMetricsF", "QFormLayout", "QFrame",
    "QGridLayout",
    "QGroupBox", "QHBoxLayout", "QHeaderView", "QInputDialog", "QKeyEvent", "QKeySequence", "QLabel",
    "QLibraryInfo", "QLineEdit",
    "QListWidget", "QListWidgetItem", "QLocale", "QMainWindow", "QMessageBox", "QObject", "QPainter", "QPen",
    "QProgressBar", "QPushButton", "QRectF", "QRunnable", "QShortcut", "QSize", "QSpinBox", "QStackedWidget",
    "QStatusBar", "QTabWidget", "QTableWidget", "QTableWidgetItem", "QTextEdit", "QThreadPool", "QTimer",
    "QTranslator", "QVBoxLayout", "QWidget", "Qt", "Signal", "Slot",
]

from PySide6.QtWidgets import QScrollArea

__all__ += ["QScrollArea"]
