<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en">
<context>
    <name>App</name>
    <message>
        <source>never</source>
        <translation>never</translation>
    </message>
    <message>
        <source>Cashier: %1</source>
        <translation>Cashier: %1</translation>
    </message>
    <message>
        <source>Shift: %1</source>
        <translation>Shift: %1</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>Sync: %1 waiting, last success %2</source>
        <translation>Sync: %1 waiting, last success %2</translation>
    </message>
    <message>
        <source>Printer: %1</source>
        <translation>Printer: %1</translation>
    </message>
    <message>
        <source>not set up</source>
        <translation>not set up</translation>
    </message>
    <message>
        <source>Scanner: %1</source>
        <translation>Scanner: %1</translation>
    </message>
    <message>
        <source>keyboard</source>
        <translation>keyboard</translation>
    </message>
    <message>
        <source>Camera: %1</source>
        <translation>Camera: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>Loyalty checkout</source>
        <translation>Loyalty checkout</translation>
    </message>
    <message>
        <source>Checkout</source>
        <translation>Checkout</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>Gifts</source>
        <translation>Gifts</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <source>Adjustments</source>
        <translation>Adjustments</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
</context>
<context>
    <name>CheckoutPage</name>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Scan the member code, or type card or phone number (F2)</source>
        <translation>Scan the member code, or type card or phone number (F2)</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>Identify</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>Product barcode or code (F3)</source>
        <translation>Product barcode or code (F3)</translation>
    </message>
    <message>
        <source>Or a plain amount, e.g. 58.50</source>
        <translation>Or a plain amount, e.g. 58.50</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Item</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>Qty</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Price</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>Remove line</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Payment</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Coupon code</source>
        <translation>Coupon code</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <source>Points to pay (F4)</source>
        <translation>Points to pay (F4)</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Max</translation>
    </message>
    <message>
        <source>Pay with points</source>
        <translation>Pay with points</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Cash</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <source>To pay</source>
        <translation>To pay</translation>
    </message>
    <message>
        <source>Points to earn</source>
        <translation>Points to earn</translation>
    </message>
    <message>
        <source>Complete sale (F12)</source>
        <translation>Complete sale (F12)</translation>
    </message>
    <message>
        <source>No member identified</source>
        <translation>No member identified</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>Balance: %1 points</translation>
    </message>
    <message>
        <source>(owes %1 points from a refund)</source>
        <translation>(owes %1 points from a refund)</translation>
    </message>
    <message>
        <source>%1 points expire within 30 days</source>
        <translation>%1 points expire within 30 days</translation>
    </message>
    <message>
        <source>%1 more points to %2</source>
        <translation>%1 more points to %2</translation>
    </message>
    <message>
        <source>[new]</source>
        <translation>[new]</translation>
    </message>
    <message>
        <source>Up to %1 points</source>
        <translation>Up to %1 points</translation>
    </message>
    <message>
        <source>Identify a member to earn points</source>
        <translation>Identify a member to earn points</translation>
    </message>
    <message>
        <source>Eligible amount: %1</source>
        <translation>Eligible amount: %1</translation>
    </message>
    <message>
        <source>Multipliers: %1</source>
        <translation>Multipliers: %1</translation>
    </message>
    <message>
        <source>Purchase points: %1</source>
        <translation>Purchase points: %1</translation>
    </message>
    <message>
        <source>Bonus %1: +%2</source>
        <translation>Bonus %1: +%2</translation>
    </message>
    <message>
        <source>Capped: %1</source>
        <translation>Capped: %1</translation>
    </message>
    <message>
        <source>Receipt %1: paid %2</source>
        <translation>Receipt %1: paid %2</translation>
    </message>
    <message>
        <source>%1 points credited, %2 redeemed, balance %3</source>
        <translation>%1 points credited, %2 redeemed, balance %3</translation>
    </message>
    <message>
        <source>Sale complete. The receipt is queued for printing.</source>
        <translation>Sale complete. The receipt is queued for printing.</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Price</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Referrer</source>
        <translation>Referrer</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>Card number</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>Coupon</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>Gift</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Manager</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>Manager PIN</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Basket</source>
        <translation>Basket</translation>
    </message>
    <message>
        <source>Receipt number</source>
        <translation>Receipt number</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>Birthday</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>Payment method</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>Stock</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Product</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>Loyalty program</source>
        <translation>Loyalty program</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>Award</source>
        <translation>Award</translation>
    </message>
    <message>
        <source>Product code</source>
        <translation>Product code</translation>
    </message>
    <message>
        <source>Barcode</source>
        <translation>Barcode</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>Date and time</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>Tier</translation>
    </message>
    <message>
        <source>Something went wrong. The details were written to the log; please call the store manager.</source>
        <translation>Something went wrong. The details were written to the log; please call the store manager.</translation>
    </message>
    <message>
        <source>No member with this card or phone number.</source>
        <translation>No member with this card or phone number.</translation>
    </message>
    <message>
        <source>No product with this code.</source>
        <translation>No product with this code.</translation>
    </message>
    <message>
        <source>No sale with this receipt number.</source>
        <translation>No sale with this receipt number.</translation>
    </message>
    <message>
        <source>Unknown staff number.</source>
        <translation>Unknown staff number.</translation>
    </message>
    <message>
        <source>Points may pay at most %1% of this sale.</source>
        <translation>Points may pay at most %1% of this sale.</translation>
    </message>
    <message>
        <source>The member reached the monthly redemption cap of %1 points.</source>
        <translation>The member reached the monthly redemption cap of %1 points.</translation>
    </message>
    <message>
        <source>Not enough points: the balance is %1.</source>
        <translation>Not enough points: the balance is %1.</translation>
    </message>
    <message>
        <source>At least %1 points per payment.</source>
        <translation>At least %1 points per payment.</translation>
    </message>
    <message>
        <source>Points are paid in steps of %1.</source>
        <translation>Points are paid in steps of %1.</translation>
    </message>
    <message>
        <source>This gift is out of stock.</source>
        <translation>This gift is out of stock.</translation>
    </message>
    <message>
        <source>The member has had this gift the most times allowed this month.</source>
        <translation>The member has had this gift the most times allowed this month.</translation>
    </message>
    <message>
        <source>This member is frozen.</source>
        <translation>This member is frozen.</translation>
    </message>
    <message>
        <source>This coupon cannot be used: %1</source>
        <translation>This coupon cannot be used: %1</translation>
    </message>
    <message>
        <source>A manager must approve this (number and PIN).</source>
        <translation>A manager must approve this (number and PIN).</translation>
    </message>
    <message>
        <source>Too many wrong PINs: locked until %1.</source>
        <translation>Too many wrong PINs: locked until %1.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Wrong PIN.</translation>
    </message>
    <message>
        <source>Only a store manager may do this.</source>
        <translation>Only a store manager may do this.</translation>
    </message>
    <message>
        <source>This phone number is already a member.</source>
        <translation>This phone number is already a member.</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 already exists.</translation>
    </message>
    <message>
        <source>%1 is not valid.</source>
        <translation>%1 is not valid.</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>Not allowed: %1</translation>
    </message>
    <message>
        <source>The database cannot be used: %1</source>
        <translation>The database cannot be used: %1</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>e.g. 1001</source>
        <translation>e.g. 1001</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>Staff number</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Close shift</source>
        <translation>Close shift</translation>
    </message>
    <message>
        <source>Open shift</source>
        <translation>Open shift</translation>
    </message>
    <message>
        <source>Shift %1 closed.
Sales: %2 (with members: %3), takings %4 yuan
Points issued: %5, redeemed: %6
Gifts handed out: %7, refunds: %8</source>
        <translation>Shift %1 closed.
Sales: %2 (with members: %3), takings %4 yuan
Points issued: %5, redeemed: %6
Gifts handed out: %7, refunds: %8</translation>
    </message>
    <message>
        <source>Shift report</source>
        <translation>Shift report</translation>
    </message>
</context>
<context>
    <name>WorkArea</name>
    <message>
        <source>Close shift</source>
        <translation>Close shift</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Log out</translation>
    </message>
</context>
</TS>