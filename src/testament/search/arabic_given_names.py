"""Common Arabic given names, each with its Arabic spelling and common Latin spellings: data for
:mod:`testament.search.arabic` (docs/name-matching.md, "Arabic names").

Common Arabic given names: the Arabic spelling and a common Latin one. A Latin spelling that can write
one of them (its romanised form is among the spelling's candidates) is that name; where it can write
several (Omar: عمر or عمار), the one whose common Latin spelling is closest (Omar, not Ammar). Two
different names of this list are different names, however close (Hassan حسن, Hussein حسين). A
Latin spelling listed here (Turkish Hatice, French Georges) is that name whatever letters it writes.
Arabic spellings of one name are written together, the usual first (نورة/نورا).
"""

from __future__ import annotations

_GIVEN_NAMES = """
محمد Muhammad|أحمد Ahmad|محمود Mahmoud/Mahmut/Mahmud|مصطفى Mustafa|علي Ali|حسن Hassan|حسين Hussein|خالد Khaled/Halit/Khalid
عمر Omar|عمار Ammar|عامر Amer|سعيد Said/Saeed|سعد Saad|يوسف Yusuf|إبراهيم Ibrahim|إسماعيل Ismail
عبدالله Abdullah|عبدالرحمن Abdulrahman|عبدالرحيم Abdulrahim|عبدالعزيز Abdulaziz|عبدالكريم Abdulkarim
عبدالقادر Abdulkader|عبدالحميد Abdulhamid|عبداللطيف Abdullatif|عبدالسلام Abdulsalam|عبدالرزاق Abdulrazzaq
عبدالمجيد Abdulmajid|عبدالناصر Abdulnasser|عبدالباسط Abdulbasit|عبدالغني Abdulghani|عبدالحليم Abdulhalim
عبدالفتاح Abdulfattah|حمد Hamad|حامد Hamed/Hamid|حميد Hameed/Humaid/Hamid|خليل Khalil|جمال Jamal/Gamal/Cemal|كمال Kamal|ماهر Maher
مازن Mazen|مالك Malek|منير Munir/Mouneer|نبيل Nabil/Nabeel|نادر Nader|ناصر Nasser|نزار Nizar|هشام Hisham|وليد Walid/Waleed
وائل Wael|ياسر Yasser|زياد Ziad|زكريا Zakaria|طارق Tareq|طه Taha|فراس Firas|فادي Fadi|فيصل Faisal
قاسم Qasim|كريم Karim/Kareem|لؤي Louai|مجد Majd|مراد Murad|معاذ Muaz|منذر Munther|موسى Musa|عيسى Issa
هيثم Haitham|بشار Bashar|بسام Bassam|باسل Basel|أنس Anas|أيمن Ayman|أسامة Osama|رامي Rami|رائد Raed
رياض Riad|سامر Samer|سامي Sami|سليم Salim/Saleem|سليمان Suleiman|شادي Shadi|صالح Saleh|صلاح Salah|عادل Adel
عدنان Adnan|عماد Imad|عثمان Othman/Osman|غسان Ghassan|فؤاد Fouad|فارس Fares|فهد Fahd|إياد Iyad|جهاد Jihad
حازم Hazem|حمزة Hamza|حيدر Haidar|رضوان Radwan|رشيد Rashid/Rasheed|سمير Samir/Sameer|عصام Issam|نوري Nouri
جميل Jamil/Jameel|أكرم Akram|أمجد Amjad|توفيق Tawfiq|ثائر Thaer|جلال Jalal|حسام Hussam|خضر Khader
راشد Rashed|ربيع Rabie|زهير Zuhair|سالم Salem|شريف Sharif|صبحي Subhi|ضياء Diaa|عاطف Atef|علاء Alaa
غازي Ghazi|فايز Fayez|فتحي Fathi|كنان Kinan|مأمون Mamoun|محسن Mohsen|مروان Marwan|مصعب Musab
معتز Moataz|منصور Mansour|مهند Muhannad|نضال Nidal|هاني Hani|وسيم Wassim|ياسين Yassin|يحيى Yahya
يونس Younes|أيوب Ayoub|إدريس Idris|إلياس Elias|داود Dawood|سلمان Salman|نور Nour/Nur/Noor
فاطمة Fatima|عائشة Aisha|مريم Maryam|زينب Zainab|خديجة Khadija|آمنة Amina|سارة Sara|ليلى Layla
هدى Huda|هبة Hiba|رنا Rana|رهف Rahaf|ديمة Dima|سلمى Salma|سعاد Souad|سميرة Samira|نادية Nadia
ياسمين Yasmin|رزان Razan|لينا Lina|دعاء Duaa|إيمان Iman|أسماء Asma|حنان Hanan|منى Mona|نجلاء Najla
وفاء Wafaa|رغد Raghad|سناء Sanaa|سهام Siham|شيماء Shaimaa|صفاء Safaa|عبير Abeer|غادة Ghada|فرح Farah
لمى Lama|مها Maha|نسرين Nisreen|نوال Nawal|هالة Hala|هيفاء Haifa|يسرى Yusra|بشرى Bushra|جنى Jana
رانيا Rania|رشا Rasha|روان Rawan|زهراء Zahraa|سوسن Sawsan|عفاف Afaf|كوثر Kawthar|لبنى Lubna|ماجدة Majida
ريم Reem/Rim|ريما Rima|حليمة Halima|آدم Adam|إلهام Ilham|أحلام Ahlam|هند Hind|سها Suha|رعد Raad|نصر Nasr|كاسب Kasib/Chasib|بطرس Boutros/Butrus|جورج George/Georges|عبدالإله Abdulilah/Abdalilah|تامر Tamer|ثامر Thamer|رغدة Raghda|حاتم Hatem/Hatim|ميساء Maysa/Mayssa|خير Khair/Kheir|كاظم Kazem/Kadhim|ناظم Nazem/Nadhim|فاتنة Fatina|زيد Zaid/Zeid|أنيس Anis|عبدو Abdo/Abdou
هلال Hilal|بلال Bilal|جواد Jawad|رقية Ruqayya/Rukiye/Rukaja|هاشم Hashem|هشام Hisham|طارق Tarek|قاسم Qasim/Kassem|ماجد Majed/Majid|مجيد Majeed|رحيم Rahim|نعيم Naim/Naeem|عبير Abeer|لؤي Louai|فاطمة Fatima/Fatma|يوسف Yusuf/Youssef|محمد Muhammad/Mohamed/Mohammed|حسين Hussein/Husayn|أحمد Ahmad/Ahmed
عائشة Aisha/Aicha/Ayse|خديجة Khadija/Khadidja/Hatice|عمر Omer|آمنة Emine|زينب Zeynep/Zeinab|هاجر Hajar/Hacer
حسين Huseyin/Houssein|محمد Mehmet/Muhammed/Mhd/Mohd|شكري Shukri/Choukri/Sukru|نصرت Nusrat/Nusret|جورج Jurj
حنا Hanna/Hanne|ميشيل Michel|يعقوب Yacoub/Yaqub|أنطون Antoun/Anton|يوحنا Youhanna|جرجس Jirjis/Girgis
نقولا Nicola/Nicolas/Nqoula|بولس Boulos/Bulus|سمعان Semaan|توما Touma|آزاد Azad|شيرين Shirin/Chirine
روجين Rojin|برزان Barzan|دلشاد Dilshad|هوشيار Hoshyar|كاوا Kawa|سيامند Siamand|خوشناو Khoshnaw|هناء Hanaa/Hana
مروة Marwa|لمياء Lamia/Lamya|هيام Hiyam|وداد Widad|ختام Khitam|إسراء Israa/Esraa|آية Aya/Ayah|بتول Batoul/Batool
تسنيم Tasneem/Tasnim|جود Joud|دانة Dana|شهد Shahad|غنى Ghina/Ghena|لجين Lujain/Loujain|ميار Mayar|نغم Nagham
هديل Hadeel/Hadil|يارا Yara|ولاء Walaa|أمل Amal|عبلة Abla|نهى Noha/Nuha|سمر Samar|منار Manar|سلام Salam
ابتسام Ibtisam/Ibtissam|انتصار Intisar|خلود Khuloud/Kholoud|ريهام Riham|عزة Azza|فدوى Fadwa|مي May/Mai
ميسون Maysoun|نجاح Najah|سوزان Suzan/Suzanne|جميلة Jamila/Djamila|سعيدة Saida|كريمة Karima|سمية Sumaya/Soumaya
رحاب Rehab|حياة Hayat|وعد Waad|رند Rand|قصي Qusay/Qusai|أسعد Asaad/Asad|مهدي Mahdi|عباس Abbas|جعفر Jaafar/Jafar
مرتضى Murtada/Mortada|رضا Reda/Rida|هادي Hadi|مؤيد Muayad/Moayad|مثنى Muthanna|ليث Laith/Leith|عمرو Amr
تيسير Taysir/Tayseer|نزيه Nazih|وجيه Wajih/Wagih|رفيق Rafiq/Rafik|رفعت Rifaat/Refaat|شاكر Shakir/Shaker/Sakir
صابر Saber/Sabir|عارف Aref/Arif|نعمان Numan/Noman|أنور Anwar/Enver|أيهم Ayham|بهاء Bahaa/Baha|جودت Jawdat/Cevdet
حكمت Hikmat/Hikmet|خلدون Khaldoun|راغب Ragheb|زاهر Zaher|ظاهر Zahir/Dhahir|شفيق Shafiq/Chafic|طلال Talal
عصمت Ismat/Ismet|قيس Qais/Kais|لطفي Lutfi/Lotfi|معن Maan|ممدوح Mamdouh|نايف Nayef/Naif|وحيد Wahid/Waheed
يزن Yazan|يمان Yaman|كرم Karam|بشير Bashir/Bechir|حجاج Hajjaj/Haggag|جاد Jad/Gad|جواد Jawad/Cevat/Dschawad
عبدالله Abdallah/Abdulla|إيلي Elie|ريتا Rita|ماري Marie/Mary|تيريز Therese|أنطوان Antoine|بيار Pierre|روجيه Roger
حسنة Hasna|نورة/نورا Noura/Nourah/Nora/Noora|زهرة Zahra/Zohra|صفية Safiya/Safia|حفصة Hafsa|أسماء Asmaa|رباب Rabab|سحر Sahar
ندى Nada/Nida|مجدي Majdi/Magdy|أمين Amin/Amine/Ameen|راما Rama|فوزي Fawzi/Fawzy|فواز Fawaz/Fawwaz|نهاد Nihad/Nehad|سهيل Suhail/Souhail/Suheil|جابر Jaber/Jabir
"""
GIVEN_NAMES = tuple(
    tuple(entry.split()) for line in _GIVEN_NAMES.strip().splitlines() for entry in line.split("|")
)
